package io.twa4j.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.twa4j.run.RunError;
import java.util.Locale;

/** Chooses the device: {@code cpu}, {@code gpu}, or (null) the engine's default. */
final class Devices {
    private Devices() {}

    static Device resolve(String name) {
        Engine engine = Engine.getInstance();
        if (name == null) {
            return engine.defaultDevice();
        }
        switch (name.toLowerCase(Locale.ROOT)) {
            case "cpu":
                return Device.cpu();
            case "gpu":
                if (engine.getGpuCount() == 0) {
                    throw RunError.settings("--device gpu: no GPU is visible to the engine;"
                            + " use --device cpu, or install the CUDA natives (see README)");
                }
                return Device.gpu();
            default:
                throw RunError.settings("unknown device '" + name + "'; valid devices: cpu, gpu");
        }
    }
}
