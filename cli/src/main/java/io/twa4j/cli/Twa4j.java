package io.twa4j.cli;

import io.twa4j.core.collective.CollectiveException;
import io.twa4j.core.io.BadFileException;
import io.twa4j.run.RunError;
import io.twa4j.run.config.InvalidSettingException;
import io.twa4j.core.train.NonFiniteLossException;
import io.twa4j.vision.data.DatasetException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code twa4j} command. */
@Command(name = "twa4j", mixinStandardHelpOptions = true, versionProvider = Twa4j.Version.class,
        description = {"Trainable Weight Averaging for the JVM: train, keep snapshots, and",
            "train in the subspace of the history. Start with `twa4j demo`."},
        subcommands = {
            DemoCommand.class,
            TrainCommand.class,
            SwaCommand.class,
            FinetuneCommand.class,
            TwaCommand.class,
            ImportCommand.class,
            SoupCommand.class,
            BenchCommand.class,
            EvalCommand.class,
            ExportCommand.class,
            InspectCommand.class,
            VerifyCommand.class,
            ModelsCommand.class,
            CommandLine.HelpCommand.class
        },
        footer = {"", "Exit codes: 0 ok, 1 unexpected failure (--verbose shows the stack trace),",
            "2 bad command line, 3 bad or missing input files, 4 training diverged,",
            "5 stopped by a signal (continue with --resume), 6 a worker of a multi-worker run was lost",
            "(continue with --resume)."})
public final class Twa4j implements Runnable {

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces of errors.")
    boolean verbose;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "name a command; see twa4j --help");
    }

    /** Runs the command line and returns the exit code. */
    public static int execute(String... args) {
        CommandLine commandLine = new CommandLine(new Twa4j());
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setParameterExceptionHandler((exception, arguments) -> {
            CommandLine failed = exception.getCommandLine();
            String message = exception.getMessage().replace(System.lineSeparator(), " ").replace('\n', ' ').strip();
            String command = failed.getCommandSpec().qualifiedName();
            failed.getErr().println("twa4j: " + message + " (see '" + command + " --help')");
            failed.getErr().flush();
            return ExitCode.USAGE;
        });
        commandLine.setExecutionExceptionHandler((exception, cmd, parseResult) -> {
            boolean verbose = parseResult.hasMatchedOption("--verbose")
                    || parseResult.subcommands().stream().anyMatch(sub -> sub.hasMatchedOption("--verbose"));
            return report(exception, cmd.getErr(), verbose);
        });
        return commandLine.execute(args);
    }

    /** Turns an exception into one line on {@code err} and an exit code. */
    static int report(Exception exception, PrintWriter err, boolean verbose) {
        int code;
        String message;
        if (exception instanceof RunError error) {
            code = exitCode(error.kind());
            message = error.getMessage();
        } else if (exception instanceof DatasetException || exception instanceof BadFileException) {
            code = ExitCode.BAD_INPUT;
            message = exception.getMessage();
        } else if (exception instanceof InvalidSettingException) {
            code = ExitCode.USAGE; // a value a library call refused, named as run.json names it
            message = exception.getMessage();
        } else if (exception instanceof NonFiniteLossException) {
            code = ExitCode.DIVERGED;
            message = exception.getMessage();
        } else if (exception instanceof CollectiveException) {
            code = ExitCode.WORKER_LOST;
            message = "a worker was lost: " + exception.getMessage() + "; continue with --resume";
        } else {
            code = ExitCode.FAILURE;
            message = "unexpected " + exception.getClass().getSimpleName() + ": " + exception.getMessage()
                    + (verbose ? "" : " (rerun with --verbose for the stack trace)");
        }
        err.println("twa4j: " + message);
        if (verbose) {
            exception.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    /** The exit code of a problem of {@code kind}. */
    static int exitCode(RunError.Kind kind) {
        return switch (kind) {
            case SETTINGS -> ExitCode.USAGE;
            case INPUT -> ExitCode.BAD_INPUT;
            case STOPPED -> ExitCode.STOPPED;
        };
    }

    /** Entry point. */
    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** The version line. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String own = Twa4j.class.getPackage().getImplementationVersion();
            return new String[] {"twa4j " + (own == null ? "dev" : own)};
        }
    }
}
