package io.twa4j.vision.data.folder;

import io.twa4j.vision.data.DatasetException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An ImageNet-style folder, scanned as torchvision's {@code ImageFolder}: {@code DIR/train/<class>/*}
 * and {@code DIR/val/<class>/*}.
 *
 * <p>The classes are the subdirectories of {@code train/}, sorted by name (Java's {@link
 * String#compareTo}, the order of Python's {@code sorted} on the names' UTF-16 code units for
 * the usual ASCII names); label {@code k} is the k-th class. {@code val/} uses the same class list
 * (a class of {@code val/} missing from {@code train/} is an error; a class without validation
 * images is allowed). Within a class the files are sorted by name, and only JPEG ({@code .jpg},
 * {@code .jpeg}) and PNG ({@code .png}) files count, extensions case-insensitive; other files,
 * hidden files and nested directories are ignored. Symbolic links are followed.
 *
 * @param root the folder given
 * @param classes the class names, sorted: label {@code k} is {@code classes.get(k)}
 */
public record ImageFolder(Path root, List<String> classes) {

    /** The training split's subdirectory. */
    public static final String TRAIN = "train";

    /** The validation split's subdirectory, the test split of a run. */
    public static final String VAL = "val";

    /** Copies the class list. */
    public ImageFolder {
        classes = List.copyOf(classes);
    }

    /**
     * Reads the class list of {@code root/train}, and checks that {@code root/val}'s classes are
     * among them.
     *
     * @throws DatasetException if a directory is missing, {@code train/} has no class
     *     subdirectory, or {@code val/} has a class {@code train/} lacks
     */
    public static ImageFolder open(Path root) {
        List<String> classes = classDirs(root, TRAIN);
        if (classes.isEmpty()) {
            throw new DatasetException(split(root, TRAIN) + ": no class subdirectories (expected " + split(root, TRAIN)
                    + "/<class>/<image>.jpg, as torchvision's ImageFolder)");
        }
        if (Files.isDirectory(split(root, VAL))) {
            for (String c : classDirs(root, VAL)) {
                if (!classes.contains(c)) {
                    throw new DatasetException(split(root, VAL).resolve(c) + ": class '" + c + "' is not a class of "
                            + split(root, TRAIN));
                }
            }
        }
        return new ImageFolder(root, classes);
    }

    /** The number of classes. */
    public int numClasses() {
        return classes.size();
    }

    /**
     * The images of one split, labelled by class, in class then file-name order.
     *
     * @param train {@code train/} if true, else {@code val/}
     * @param name the name of the split in messages (e.g. {@code imagefolder/train})
     * @throws DatasetException if the split's directory is missing or holds no image
     */
    public FolderImages images(boolean train, String name, FolderOptions options) {
        Path dir = split(root, train ? TRAIN : VAL);
        if (!Files.isDirectory(dir)) {
            throw new DatasetException(dir + ": no such directory (an image folder needs " + TRAIN + "/ and " + VAL + "/)");
        }
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int label = 0; label < classes.size(); label++) {
            Path classDir = dir.resolve(classes.get(label));
            if (!Files.isDirectory(classDir)) {
                continue;
            }
            for (Path file : sortedEntries(classDir)) {
                if (isImage(file) && Files.isRegularFile(file)) {
                    files.add(file);
                    labels.add(label);
                }
            }
        }
        if (files.isEmpty()) {
            throw new DatasetException(dir + ": no images (.jpg, .jpeg or .png) in its class subdirectories");
        }
        return new FolderImages(name, files, labels.stream().mapToInt(Integer::intValue).toArray(), classes.size(), options);
    }

    /** Whether a file's name makes it an image: {@code .jpg}, {@code .jpeg} or {@code .png}, any case, not hidden. */
    static boolean isImage(Path file) {
        String name = file.getFileName().toString();
        String lower = name.toLowerCase(Locale.ROOT);
        return !name.startsWith(".") && (lower.endsWith(".jpg") || lower.endsWith(".jpeg") || lower.endsWith(".png"));
    }

    private static Path split(Path root, String split) {
        return root.resolve(split);
    }

    private static List<String> classDirs(Path root, String split) {
        Path dir = split(root, split);
        if (!Files.isDirectory(root)) {
            throw new DatasetException(root + ": no such directory (an image folder holds " + TRAIN + "/<class>/ and "
                    + VAL + "/<class>/)");
        }
        if (!Files.isDirectory(dir)) {
            throw new DatasetException(dir + ": no such directory (an image folder needs " + TRAIN + "/ and " + VAL + "/)");
        }
        List<String> names = new ArrayList<>();
        for (Path entry : sortedEntries(dir)) {
            String name = entry.getFileName().toString();
            if (!name.startsWith(".") && Files.isDirectory(entry)) {
                names.add(name);
            }
        }
        return names;
    }

    /** The entries of {@code dir}, sorted by name. */
    private static List<Path> sortedEntries(Path dir) {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(entries::add);
        } catch (IOException e) {
            throw new DatasetException(dir + ": cannot list: " + e.getMessage(), e);
        }
        entries.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
        return entries;
    }
}
