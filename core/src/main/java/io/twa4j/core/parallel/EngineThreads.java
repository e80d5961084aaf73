package io.twa4j.core.parallel;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * What it takes for several threads of one JVM to train (the ranks of an in-process group in
 * tests, Spark tasks in {@code local[N]} mode). Workers in their own processes need none of it.
 *
 * <ul>
 *   <li>libtorch's gradient mode is per thread and on by default; DJL turns it off only on the
 *       thread that loads the engine, and an in-place write to a parameter outside a backward pass
 *       fails while it is on ("a leaf Variable that requires grad is being used in an in-place
 *       operation"). {@link #prepare()} turns it off for the calling thread.
 *   <li>DJL's PyTorch {@code GradientCollector} allows one open collector per JVM (a static flag):
 *       {@link #backward} runs each thread's forward and backward pass in turn. The exchanges
 *       between ranks happen outside it, so ranks in one JVM cannot deadlock on it.
 * </ul>
 */
public final class EngineThreads {

    private static final ReentrantLock BACKWARD = new ReentrantLock();

    private EngineThreads() {}

    /** Turns the engine's gradient mode off on the calling thread (as on the thread that loaded it). */
    public static void prepare() {
        Engine.getEngine("PyTorch"); // loads the native library on first use
        JniUtils.setGradMode(false);
    }

    /** Runs {@code pass} (a forward and backward pass in a gradient collector) while no other thread runs one. */
    public static <T> T backward(Supplier<T> pass) {
        BACKWARD.lock();
        try {
            return pass.get();
        } finally {
            BACKWARD.unlock();
        }
    }
}
