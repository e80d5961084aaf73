package io.twa4j.run.method;

/**
 * A method that makes a result from a run: TWA on its snapshots, and the soups to come. It gets
 * the run's model, data, directory and console from a {@link MethodContext}, which also holds
 * the steps every such method shares (a BatchNorm update and evaluation written to metrics.jsonl,
 * the result directory written whole or not at all), so that a method is only its own algorithm.
 *
 * <pre>{@code
 * try (Workspace workspace = Workspace.open(config, Device.cpu())) {
 *     TwaResult result = new MethodContext(workspace, run, Console.of(System.out), false).execute(twa);
 * }
 * }</pre>
 *
 * @param <R> what the method returns besides its files
 */
public interface RunMethod<R> {

    /** Where the result goes in the run, {@code /}-separated ("twa/p0-11"). */
    String resultPath();

    /** Runs on {@code context}'s model and writes the result through {@link MethodContext#writeResult}. */
    R run(MethodContext context);
}
