package io.twa4j.vision.data;

import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The datasets known by name: {@code fashion-mnist}, {@code mnist}, {@code cifar10}, {@code
 * cifar100} and {@code synthetic}.
 *
 * <p>Names are case-insensitive, and dashes and underscores are ignored ({@code CIFAR-10} is
 * {@code cifar10}). Files are looked for in a given directory or the dataset's {@link
 * #defaultDir(String) default}; a missing dataset is reported as one line naming the files
 * expected, the directory and where to get them.
 */
public final class Datasets {

    /** Zalando's Fashion-MNIST, 28×28 grey, 10 classes, 60000/10000. */
    public static final String FASHION_MNIST = "fashion-mnist";

    /** MNIST digits, 28×28 grey, 10 classes, 60000/10000. */
    public static final String MNIST = "mnist";

    /** CIFAR-10, 3×32×32, 10 classes, 50000/10000. */
    public static final String CIFAR10 = "cifar10";

    /** CIFAR-100 (fine labels), 3×32×32, 100 classes, 50000/10000. */
    public static final String CIFAR100 = "cifar100";

    /** A generated, learnable set: 1×28×28, 10 classes, 6000/1000 (see {@link SyntheticImages}). */
    public static final String SYNTHETIC = "synthetic";

    /** All names, in the order they are listed to users. */
    public static final List<String> NAMES = List.of(FASHION_MNIST, MNIST, CIFAR10, CIFAR100, SYNTHETIC);

    /** The seed of the synthetic set. */
    public static final long SYNTHETIC_SEED = 20230501L;

    /** Images in the synthetic training split. */
    public static final int SYNTHETIC_TRAIN = 6000;

    /** Images in the synthetic test split. */
    public static final int SYNTHETIC_TEST = 1000;

    private static final String FASHION_URL = "https://github.com/zalandoresearch/fashion-mnist";
    private static final String MNIST_URL = "https://yann.lecun.com/exdb/mnist/";
    private static final String CIFAR_URL = "https://www.cs.toronto.edu/~kriz/cifar.html";

    private Datasets() {}

    /**
     * The canonical form of a dataset name.
     *
     * @throws DatasetException if the name is not one of {@link #NAMES}
     */
    public static String canonicalName(String name) {
        if (name != null) {
            String key = squash(name);
            for (String known : NAMES) {
                if (squash(known).equals(key)) {
                    return known;
                }
            }
        }
        throw new DatasetException("unknown dataset '" + name + "'; valid names: " + String.join(", ", NAMES));
    }

    /** The number of classes of the named dataset. */
    public static int numClasses(String name) {
        return canonicalName(name).equals(CIFAR100) ? 100 : 10;
    }

    /** The shape (C, H, W) of one image of the named dataset. */
    public static Shape imageShape(String name) {
        return switch (canonicalName(name)) {
            case CIFAR10, CIFAR100 -> new Shape(3, 32, 32);
            default -> new Shape(1, 28, 28);
        };
    }

    /** The normalisation the named dataset is trained with. */
    public static Normalization normalization(String name) {
        return Normalization.forDataset(name);
    }

    /**
     * Where the named dataset is looked for when no directory is given: {@code
     * /usr/share/datasets/fashion-mnist} (Debian package {@code dataset-fashion-mnist}), {@code
     * /usr/share/datasets/mnist}, {@code ./data/cifar-10-batches-bin}, {@code
     * ./data/cifar-100-binary}; {@code null} for {@code synthetic}, which needs no files.
     */
    public static Path defaultDir(String name) {
        return switch (canonicalName(name)) {
            case FASHION_MNIST -> Path.of("/usr/share/datasets/fashion-mnist");
            case MNIST -> Path.of("/usr/share/datasets/mnist");
            case CIFAR10 -> Path.of("data", "cifar-10-batches-bin");
            case CIFAR100 -> Path.of("data", "cifar-100-binary");
            default -> null;
        };
    }

    /**
     * Loads a split of the named dataset, named {@code <name>/train} or {@code <name>/test}.
     *
     * @param dataDir the directory holding the files, or {@code null} for {@link
     *     #defaultDir(String)}; for CIFAR, its {@code cifar-10-batches-bin} / {@code
     *     cifar-100-binary} subdirectory is also tried; ignored for {@code synthetic}
     * @param train the training split if true, else the test split
     * @throws DatasetException if the name is unknown or the files are missing, malformed, or hold
     *     images of another size than the dataset's (see {@link #imageShape})
     */
    public static ImageSet load(String name, Path dataDir, boolean train) {
        String id = canonicalName(name);
        String split = id + (train ? "/train" : "/test");
        Path dir = dataDir != null ? dataDir : defaultDir(id);
        return switch (id) {
            case FASHION_MNIST -> loadIdx(split, dir, train, "install the Debian package dataset-fashion-mnist or download them from " + FASHION_URL);
            case MNIST -> loadIdx(split, dir, train, "download them from " + MNIST_URL);
            case CIFAR10 -> CifarReader.readCifar10(split, cifarFiles(split, dir, "cifar-10-batches-bin", cifar10Names(train), "cifar-10-binary.tar.gz"));
            case CIFAR100 -> CifarReader.readCifar100(split, cifarFiles(split, dir, "cifar-100-binary", List.of(train ? "train.bin" : "test.bin"), "cifar-100-binary.tar.gz"));
            default -> synthetic(train);
        };
    }

    private static ImageSet synthetic(boolean train) {
        ImageSet all = SyntheticImages.generate(SYNTHETIC_SEED, SYNTHETIC_TRAIN + SYNTHETIC_TEST, 10, 1, 28, 28);
        return train
                ? all.slice(0, SYNTHETIC_TRAIN, SYNTHETIC + "/train")
                : all.slice(SYNTHETIC_TRAIN, SYNTHETIC_TRAIN + SYNTHETIC_TEST, SYNTHETIC + "/test");
    }

    private static ImageSet loadIdx(String split, Path dir, boolean train, String howToGet) {
        String prefix = train ? "train" : "t10k";
        String images = prefix + "-images-idx3-ubyte";
        String labels = prefix + "-labels-idx1-ubyte";
        Path imageFile = findIdx(dir, prefix + "-images", images);
        Path labelFile = findIdx(dir, prefix + "-labels", labels);
        if (imageFile == null || labelFile == null) {
            throw missing(split, dir, images + "(.gz) and " + labels + "(.gz)", howToGet);
        }
        ImageSet set = IdxReader.read(split, imageFile, labelFile, 10);
        Shape expected = imageShape(split.substring(0, split.indexOf('/')));
        if (set.height() != expected.get(1) || set.width() != expected.get(2)) {
            // the models are built for the dataset's shape: other sizes would fail deep in the engine
            throw new DatasetException(imageFile + ": images are " + set.height() + "x" + set.width() + ", but " + split
                    + " images are " + expected.get(1) + "x" + expected.get(2));
        }
        return set;
    }

    /** The first of {@code <base>.gz}, {@code <base>}, and the dotted variant that exists, else null. */
    private static Path findIdx(Path dir, String stem, String base) {
        String dotted = stem + "." + base.substring(stem.length() + 1);
        for (String candidate : List.of(base + ".gz", base, dotted + ".gz", dotted)) {
            Path p = dir.resolve(candidate);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }

    private static List<String> cifar10Names(boolean train) {
        if (!train) {
            return List.of("test_batch.bin");
        }
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            names.add("data_batch_" + i + ".bin");
        }
        return names;
    }

    private static List<Path> cifarFiles(String split, Path dir, String subdir, List<String> names, String archive) {
        for (Path candidate : List.of(dir, dir.resolve(subdir))) {
            List<Path> files = names.stream().map(candidate::resolve).collect(Collectors.toList());
            if (files.stream().allMatch(Files::isRegularFile)) {
                return files;
            }
        }
        String expected = names.size() == 1 ? names.get(0) : names.get(0) + " .. " + names.get(names.size() - 1);
        Path abs = absolute(dir);
        Path unpackIn = abs.getFileName() != null && abs.getFileName().toString().equals(subdir) && abs.getParent() != null
                ? abs.getParent()
                : abs;
        throw missing(split, dir, expected, "download " + archive + " from " + CIFAR_URL + " and unpack it in " + unpackIn);
    }

    private static DatasetException missing(String split, Path dir, String expected, String howToGet) {
        String where = "in " + absolute(dir);
        if (!Files.isDirectory(dir)) {
            where += Files.exists(dir) ? " (not a directory)" : " (no such directory)";
        }
        return new DatasetException(split + " not found: expected " + expected + " " + where + "; " + howToGet);
    }

    private static Path absolute(Path p) {
        return p.toAbsolutePath().normalize();
    }

    private static String squash(String name) {
        return name.trim().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
    }
}
