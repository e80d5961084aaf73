package io.twa4j.run.soup;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.twa4j.run.Console;
import io.twa4j.run.RunDirectory;
import io.twa4j.run.RunError;
import io.twa4j.run.RunLock;
import io.twa4j.run.Workspace;
import io.twa4j.run.config.RunConfig;
import io.twa4j.run.method.MethodContext;
import io.twa4j.run.method.RunMethod;
import io.twa4j.run.twa.TwaSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A soup of given models into a run directory ({@code twa4j soup}): the first soup creates it with
 * its configuration (data, held-out split, model); later ones, of other methods, use that run.json,
 * so every method of a directory sees the same held-out images. Each writes {@code OUT/soup/METHOD/}.
 *
 * <pre>{@code
 * SoupResult greedy = SoupJob.run(new SoupJob.Request(List.of("a/weights.safetensors", "b:3"), config, out, "greedy",
 *         null, null, Device.cpu(), false), Console.of(System.out));
 * }</pre>
 */
public final class SoupJob {
    private SoupJob() {}

    /** The methods, in the order a user would try them. */
    public static final List<String> METHODS = List.of("uniform", "greedy", "learned", "learned-by-layer");

    /**
     * A soup to make.
     *
     * @param ingredients safetensors files or {@code RUN:INDEX} snapshots, in order
     * @param config the configuration of a new output directory (data with a held-out part, model);
     *     ignored when {@code out} already holds a run
     * @param out the output run directory
     * @param method uniform, greedy, learned or learned-by-layer
     * @param learning the coefficient training of the learned soups (on the held-out images), or null for the others
     * @param blocks the blocks of learned-by-layer: per-tensor, per-layer or a number K (ignored by the others)
     * @param device the device, or null for the engine's default
     * @param overwrite whether an existing soup of this method in {@code out} is replaced
     * @param lock how the soup holds the lock of {@code out} while it writes there
     */
    public record Request(List<String> ingredients, RunConfig config, Path out, String method, TwaSettings learning, String blocks,
            Device device, boolean overwrite, RunLock.Mode lock) {

        /** A request that takes the lock of {@code out} ({@link RunLock.Mode#EXCLUSIVE}). */
        public Request(List<String> ingredients, RunConfig config, Path out, String method, TwaSettings learning, String blocks,
                Device device, boolean overwrite) {
            this(ingredients, config, out, method, learning, blocks, device, overwrite, RunLock.Mode.EXCLUSIVE);
        }
    }

    /**
     * Makes the soup.
     *
     * @throws RunError (settings) for an unknown method or a configuration without a held-out
     *     part; (input) for a missing or mismatched ingredient
     */
    public static SoupResult run(Request request, Console console) {
        String method = request.method() == null ? "" : request.method().toLowerCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            throw RunError.settings("unknown soup method '" + request.method() + "'; valid: " + String.join(", ", METHODS));
        }
        boolean existing = Files.isRegularFile(request.out().resolve(RunDirectory.CONFIG));
        RunConfig config = existing ? RunDirectory.open(request.out()).readConfig() : request.config();
        if (existing) {
            console.out().println("adding to the soups of " + request.out() + " (with the data, split and model of its run.json)");
        }
        if (!config.data().holdsOut()) {
            throw RunError.settings("a soup chooses on held-out images: give --val-ratio or --val-limit (the split of the"
                    + " ingredients' own runs, so that none was trained on them)");
        }
        Device device = request.device() == null ? Engine.getInstance().defaultDevice() : request.device();
        try (Workspace workspace = Workspace.open(config, device);
                Ingredients ingredients = Ingredients.read(request.ingredients(), workspace)) {
            workspace.heldOutBatches(); // a missing dataset or an impossible split is refused before anything is written
            try (RunLock held = lock(request, existing, console)) {
                RunDirectory run = existing ? RunDirectory.open(request.out()) : create(request.out(), config);
                return make(new MethodContext(workspace, run, console, request.overwrite()), ingredients, request, method);
            }
        }
    }

    /** Evaluates every ingredient, then makes the soup of {@code method}. */
    private static SoupResult make(MethodContext context, Ingredients ingredients, Request request, String method) {
        Workspace workspace = context.workspace();
        context.console().out().printf(Locale.ROOT, "%d ingredients; evaluating each on %d held-out and %d test images%n",
                ingredients.size(), workspace.heldOutBatches().size(), workspace.testBatches().size());
        SoupInputs inputs = new SoupInputs(ingredients, ingredients.evaluateEach(workspace, workspace.heldOutBatches()),
                ingredients.evaluateEach(workspace, workspace.testBatches()));
        RunMethod<SoupResult> soup = switch (method) {
            case "uniform" -> new UniformSoup(inputs);
            case "greedy" -> new GreedySoup(inputs);
            case "learned" -> new LearnedSoup(inputs, request.learning().trainedOn("val"), null);
            default -> new LearnedSoup(inputs, request.learning().trainedOn("val"), request.blocks() == null ? "per-layer" : request.blocks());
        };
        return context.execute(soup);
    }

    /** The lock of the output run, taken before anything is written there (a new one is created for it). */
    private static RunLock lock(Request request, boolean existing, Console console) {
        if (!existing) {
            if (Files.exists(request.out()) && !Files.isDirectory(request.out())) {
                throw RunError.input("run directory " + request.out() + " exists and is not a directory");
            }
            try {
                Files.createDirectories(request.out());
            } catch (java.io.IOException e) {
                throw RunError.input("cannot create " + request.out() + ": " + io.twa4j.core.io.IoMessages.reason(e));
            }
        }
        return RunLock.take(request.out(), "twa4j soup --method " + request.method(), request.lock(), console);
    }

    /** A new output run with {@code config}. */
    private static RunDirectory create(Path out, RunConfig config) {
        RunDirectory run = RunDirectory.create(out, false);
        run.writeConfig(config);
        return run;
    }
}
