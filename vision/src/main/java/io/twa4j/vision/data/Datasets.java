package io.twa4j.vision.data;

import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The registry of datasets known by name: {@code fashion-mnist}, {@code mnist}, {@code cifar10},
 * {@code cifar100} and {@code synthetic}, one {@link Dataset} entry each.
 *
 * <p>Names are case-insensitive, and dashes and underscores are ignored ({@code CIFAR-10} is
 * {@code cifar10}). Files are looked for in a given directory or the dataset's {@link
 * Dataset#defaultDir() default}; a missing dataset is reported as one line naming the files
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

    /**
     * A generated set on which methods differ: 1×28×28, 10 classes, 20000/5000, overlapping classes,
     * strong noise and 10% random labels ({@link SyntheticImages.Style#HARD}).
     */
    public static final String SYNTHETIC_HARD = "synthetic-hard";

    /** Images in the hard synthetic set's training split. */
    public static final int SYNTHETIC_HARD_TRAIN = 20000;

    /** Images in the hard synthetic set's test split. */
    public static final int SYNTHETIC_HARD_TEST = 5000;

    /**
     * An ImageNet-style folder ({@code DIR/train/<class>/*.jpg}, {@code DIR/val/<class>/*}; see
     * {@link io.twa4j.vision.data.folder.ImageFolder}): not an entry of {@link #ALL}, since its
     * classes come from the folder and its image size from the user.
     */
    public static final String IMAGEFOLDER = "imagefolder";

    /** The seed of the synthetic set. */
    public static final long SYNTHETIC_SEED = 20230501L;

    /** Images in the synthetic training split. */
    public static final int SYNTHETIC_TRAIN = 6000;

    /** Images in the synthetic test split. */
    public static final int SYNTHETIC_TEST = 1000;

    private static final String FASHION_URL = "https://github.com/zalandoresearch/fashion-mnist";
    private static final String MNIST_URL = "https://yann.lecun.com/exdb/mnist/";
    private static final String CIFAR_URL = "https://www.cs.toronto.edu/~kriz/cifar.html";

    private static final Shape GREY_28 = new Shape(1, 28, 28);
    private static final Shape RGB_32 = new Shape(3, 32, 32);

    /** Every dataset, in the order they are listed to users. */
    public static final List<Dataset> ALL = List.of(
            new Dataset(FASHION_MNIST, GREY_28, 10, Normalization.FASHION_MNIST,
                    Path.of("/usr/share/datasets/fashion-mnist"), false,
                    idx("install the Debian package dataset-fashion-mnist or download them from " + FASHION_URL)),
            new Dataset(MNIST, GREY_28, 10, Normalization.MNIST,
                    Path.of("/usr/share/datasets/mnist"), false, idx("download them from " + MNIST_URL)),
            new Dataset(CIFAR10, RGB_32, 10, Normalization.CIFAR, Path.of("data", "cifar-10-batches-bin"), true,
                    (d, dir, train) -> CifarReader.readCifar10(d.split(train),
                            cifarFiles(d.split(train), dir, "cifar-10-batches-bin", cifar10Names(train), "cifar-10-binary.tar.gz"))),
            new Dataset(CIFAR100, RGB_32, 100, Normalization.CIFAR, Path.of("data", "cifar-100-binary"), true,
                    (d, dir, train) -> CifarReader.readCifar100(d.split(train),
                            cifarFiles(d.split(train), dir, "cifar-100-binary", List.of(train ? "train.bin" : "test.bin"),
                                    "cifar-100-binary.tar.gz"))),
            new Dataset(SYNTHETIC, GREY_28, 10, Normalization.SYNTHETIC, null, false,
                    (d, dir, train) -> synthetic(d, train, SyntheticImages.Style.EASY, SYNTHETIC_TRAIN, SYNTHETIC_TEST)),
            new Dataset(SYNTHETIC_HARD, GREY_28, 10, Normalization.SYNTHETIC, null, false,
                    (d, dir, train) -> synthetic(d, train, SyntheticImages.Style.HARD, SYNTHETIC_HARD_TRAIN, SYNTHETIC_HARD_TEST)));

    /** The names of {@link #ALL}, in the same order. */
    public static final List<String> NAMES = ALL.stream().map(Dataset::name).toList();

    private Datasets() {}

    /**
     * The dataset of a name, case-insensitive, dashes and underscores ignored.
     *
     * @throws DatasetException if the name is not one of {@link #NAMES} (the message lists them and
     *     {@link #IMAGEFOLDER}), or is {@link #IMAGEFOLDER}, which has no fixed entry
     */
    public static Dataset byName(String name) {
        if (isImageFolder(name)) {
            throw new DatasetException(IMAGEFOLDER + " has no fixed image shape or classes: it is read with ImageFolder");
        }
        try {
            return byName(name, ALL);
        } catch (DatasetException e) {
            throw new DatasetException(e.getMessage() + ", " + IMAGEFOLDER);
        }
    }

    /** Whether {@code name} names {@link #IMAGEFOLDER} (case-insensitive, dashes and underscores ignored). */
    public static boolean isImageFolder(String name) {
        return name != null && squash(name).equals(IMAGEFOLDER);
    }

    /**
     * The dataset of a name among {@code datasets} (a registry other than {@link #ALL}, e.g. one
     * with an entry added by a test), matched as {@link #byName(String)}.
     *
     * @throws DatasetException if no entry has that name; the message lists their names
     */
    public static Dataset byName(String name, List<Dataset> datasets) {
        if (name != null) {
            String key = squash(name);
            for (Dataset known : datasets) {
                if (squash(known.name()).equals(key)) {
                    return known;
                }
            }
        }
        String valid = datasets.stream().map(Dataset::name).collect(Collectors.joining(", "));
        throw new DatasetException("unknown dataset '" + name + "'; valid names: " + valid);
    }

    /**
     * The canonical form of a dataset name: {@code byName(name).name()}, or {@link #IMAGEFOLDER}.
     *
     * @throws DatasetException if the name is neither one of {@link #NAMES} nor {@link #IMAGEFOLDER}
     */
    public static String canonicalName(String name) {
        return isImageFolder(name) ? IMAGEFOLDER : byName(name).name();
    }

    /**
     * Loads a split of the named dataset, named {@code <name>/train} or {@code <name>/test}:
     * {@code byName(name).load(dataDir, train)}.
     *
     * @param dataDir the directory holding the files, or {@code null} for the dataset's {@link
     *     Dataset#defaultDir()}; for CIFAR, its {@code cifar-10-batches-bin} / {@code
     *     cifar-100-binary} subdirectory is also tried; ignored for {@code synthetic}
     * @param train the training split if true, else the test split
     * @throws DatasetException if the name is unknown or the files are missing, malformed, or hold
     *     images of another size than the dataset's (see {@link Dataset#imageShape()})
     */
    public static ImageSet load(String name, Path dataDir, boolean train) {
        return byName(name).load(dataDir, train);
    }

    private static ImageSet synthetic(Dataset d, boolean train, SyntheticImages.Style style, int trainSize, int testSize) {
        Shape s = d.imageShape();
        ImageSet all = SyntheticImages.generate(SYNTHETIC_SEED, trainSize + testSize, d.classes(),
                (int) s.get(0), (int) s.get(1), (int) s.get(2), style);
        return train
                ? all.slice(0, trainSize, d.split(true))
                : all.slice(trainSize, trainSize + testSize, d.split(false));
    }

    /** The reader of an IDX dataset (MNIST's format), {@code howToGet} its files. */
    private static Dataset.Reader idx(String howToGet) {
        return (d, dir, train) -> loadIdx(d, dir, train, howToGet);
    }

    private static ImageSet loadIdx(Dataset d, Path dir, boolean train, String howToGet) {
        String split = d.split(train);
        String prefix = train ? "train" : "t10k";
        String images = prefix + "-images-idx3-ubyte";
        String labels = prefix + "-labels-idx1-ubyte";
        Path imageFile = findIdx(dir, prefix + "-images", images);
        Path labelFile = findIdx(dir, prefix + "-labels", labels);
        if (imageFile == null || labelFile == null) {
            throw missing(split, dir, images + "(.gz) and " + labels + "(.gz)", howToGet);
        }
        ImageSet set = IdxReader.read(split, imageFile, labelFile, d.classes());
        Shape expected = d.imageShape();
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
