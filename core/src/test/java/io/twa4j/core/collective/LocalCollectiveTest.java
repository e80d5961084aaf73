package io.twa4j.core.collective;

import java.time.Duration;
import java.util.List;

/** The conformance suite on a group of threads in one JVM. */
class LocalCollectiveTest extends CollectiveConformance {

    @Override
    protected List<Collective> group(int size, Duration timeout) {
        return LocalCollective.group(size, timeout);
    }
}
