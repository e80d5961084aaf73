package io.twa4j.run.config;

import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A setting of a configuration record that is out of range, unknown or inconsistent with another.
 * The problem is a template in which every setting appears as {@code {key}} (the key as run.json
 * spells it, {@code swa.start} for a nested one), so that each reader names settings its own way:
 * a file as {@code 'batch_size'}, the command line as {@code --batch-size}.
 *
 * <pre>{@code
 * throw new InvalidSettingException("batch_size", "{batch_size} must be a positive number, got 0");
 * }</pre>
 */
public final class InvalidSettingException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;
    private static final Pattern KEY = Pattern.compile("\\{([a-z0-9_.]+)}");

    private final String key;
    private final String template;

    /**
     * A problem with {@code key}, described by {@code template}.
     *
     * @param key the setting at fault, as run.json names it
     * @param template the problem, each setting it mentions written {@code {key}}
     */
    public InvalidSettingException(String key, String template) {
        super(render(template, k -> "'" + k + "'"));
        this.key = key;
        this.template = template;
    }

    /** The setting at fault, as run.json names it ({@code swa.start} for a nested one). */
    public String key() {
        return key;
    }

    /** The problem with every setting named by {@code name} (a key to the name a reader knows it by). */
    public String describe(UnaryOperator<String> name) {
        return render(template, name);
    }

    private static String render(String template, UnaryOperator<String> name) {
        Matcher m = KEY.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(name.apply(m.group(1))));
        }
        return m.appendTail(out).toString();
    }
}
