package io.twa4j.run.config;

import ai.djl.engine.Engine;
import java.util.LinkedHashMap;
import java.util.Map;

/** The versions a run records: twa4j, DJL, the engine and Java. */
public final class Versions {
    private Versions() {}

    /** The versions of this process (starts the engine). */
    public static Map<String, String> current() {
        Map<String, String> versions = new LinkedHashMap<>();
        String own = Versions.class.getPackage().getImplementationVersion();
        versions.put("twa4j", own == null ? "dev" : own);
        versions.put("djl", Engine.getDjlVersion());
        versions.put("engine", Engine.getInstance().getEngineName() + " " + Engine.getInstance().getVersion());
        versions.put("java", System.getProperty("java.version"));
        return versions;
    }
}
