package io.twa4j.vision.data.folder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.twa4j.core.data.BatchSource;
import io.twa4j.core.data.HostBatch;
import io.twa4j.vision.data.DatasetException;
import io.twa4j.vision.data.HeldOutSplit;
import io.twa4j.vision.data.Normalization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {

    @TempDir
    Path dir;

    private FolderImages train(boolean corrupt, FolderOptions options) {
        return ImageFolder.open(TestFolders.small(dir, corrupt)).images(true, "f/train", options);
    }

    @Test
    void classesAreSortedAndFilesSortedWithinAClassOtherFilesIgnored() {
        ImageFolder folder = ImageFolder.open(TestFolders.small(dir, true));
        assertThat(folder.classes()).containsExactly("ant", "cat", "dog");
        FolderImages train = folder.images(true, "f/train", new FolderOptions(16, 1, false));
        List<String> names = new ArrayList<>();
        for (int i = 0; i < train.size(); i++) {
            names.add(folder.classes().get(train.label(i)) + "/" + train.file(i).getFileName());
        }
        assertThat(names).containsExactly("ant/a_64x48.PNG", "ant/b_37x53.jpg", "ant/c_19x80.JPEG", "ant/d_30x30.jpg",
                "cat/a_64x48.PNG", "cat/b_37x53.jpg", "cat/c_19x80.JPEG", "cat/grey.png",
                "dog/a_64x48.PNG", "dog/b_37x53.jpg", "dog/broken.jpg", "dog/c_19x80.JPEG", "dog/e_33x21.png");
        assertThat(folder.images(false, "f/val", new FolderOptions(16, 1, false)).labelCounts()).containsExactly(2, 2, 2);
    }

    @Test
    void symlinkedClassesAndFilesAreFollowed() throws Exception {
        Path root = TestFolders.small(dir.resolve("real"), false);
        Path linked = dir.resolve("linked");
        Files.createDirectories(linked.resolve("train"));
        Files.createSymbolicLink(linked.resolve("val"), root.resolve("val"));
        Files.createSymbolicLink(linked.resolve("train/ant"), root.resolve("train/ant"));
        Files.createDirectories(linked.resolve("train/bee"));
        Files.createSymbolicLink(linked.resolve("train/bee/x.jpg"), root.resolve("train/cat/b_37x53.jpg"));
        assertThatThrownBy(() -> ImageFolder.open(linked)).isInstanceOf(DatasetException.class)
                .hasMessageContaining("class 'cat' is not a class of");
        Files.delete(linked.resolve("val"));
        Files.createDirectories(linked.resolve("val"));
        Files.createSymbolicLink(linked.resolve("val/ant"), root.resolve("val/ant"));
        FolderImages train = ImageFolder.open(linked).images(true, "l/train", new FolderOptions(16, 1, false));
        assertThat(train.labelCounts()).containsExactly(4, 1);
    }

    @Test
    void emptyOrMissingFoldersAreNamed() throws Exception {
        assertThatThrownBy(() -> ImageFolder.open(dir.resolve("none"))).isInstanceOf(DatasetException.class)
                .hasMessageContaining("none").hasMessageContaining("no such directory");
        Files.createDirectories(dir.resolve("train"));
        Files.createDirectories(dir.resolve("val"));
        assertThatThrownBy(() -> ImageFolder.open(dir)).hasMessageContaining(dir.resolve("train") + ": no class subdirectories");
        Files.createDirectories(dir.resolve("train/a"));
        Files.writeString(dir.resolve("train/a/x.txt"), "x");
        ImageFolder folder = ImageFolder.open(dir);
        assertThatThrownBy(() -> folder.images(true, "t", FolderOptions.of(16))).isInstanceOf(DatasetException.class)
                .hasMessageContaining(dir.resolve("train") + ": no images");
    }

    @Test
    void greyImagesBecomeRgbByReplication() {
        RgbImage grey = ImageDecoder.standard().decode(TestFolders.small(dir, false).resolve("train/cat/grey.png"));
        assertThat(grey.width()).isEqualTo(41);
        assertThat(grey.height()).isEqualTo(29);
        boolean varied = false;
        for (int y = 0; y < grey.height(); y++) {
            for (int x = 0; x < grey.width(); x++) {
                assertThat(grey.sample(y, x, 1)).isEqualTo(grey.sample(y, x, 0));
                assertThat(grey.sample(y, x, 2)).isEqualTo(grey.sample(y, x, 0));
                varied |= grey.sample(y, x, 0) != grey.sample(0, 0, 0);
            }
        }
        assertThat(varied).isTrue();
    }

    @Test
    void pngPixelsAreReadExactly() {
        java.util.Random random = new java.util.Random(9);
        var written = TestFolders.colour(7, 5, random);
        TestFolders.write(dir.resolve("p.png"), written, "png");
        RgbImage read = ImageDecoder.standard().decode(dir.resolve("p.png"));
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 7; x++) {
                int rgb = written.getRGB(x, y);
                assertThat(new int[] {read.sample(y, x, 0), read.sample(y, x, 1), read.sample(y, x, 2)})
                        .containsExactly((rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255);
            }
        }
    }

    @Test
    void evalBatchesAreSizedAndInFileOrder() {
        FolderImages val = ImageFolder.open(TestFolders.small(dir, true)).images(false, "f/val", new FolderOptions(20, 2, false));
        FolderBatchSource source = FolderBatchSource.builder(val).setBatchSize(4).optShuffle(false).build();
        List<HostBatch> batches = all(source, 0);
        assertThat(batches).hasSize(2);
        assertThat(batches.get(0).shape().getShape()).containsExactly(4, 3, 20, 20);
        assertThat(batches.get(1).shape().getShape()).containsExactly(2, 3, 20, 20);
        assertThat(batches.get(0).labels()).containsExactly(0, 0, 1, 1);
        assertThat(batches.get(1).labels()).containsExactly(2, 2);
    }

    @Test
    void aCorruptFileFailsTheEpochNamingIt() {
        FolderBatchSource source = FolderBatchSource.builder(train(true, new FolderOptions(16, 3, false)))
                .setBatchSize(4).optShuffle(false).optAugment(true).build();
        try (BatchSource.BatchIterator it = source.epoch(0)) {
            it.next();
            it.next(); // images 0..7 are fine: broken.jpg is image 10, in batch 2
            assertThatThrownBy(it::next).isInstanceOf(DatasetException.class)
                    .hasMessageContaining(dir.resolve("train/dog/broken.jpg").toString()).hasMessageContaining("not a readable image");
            assertThat(it.hasNext()).isFalse();
        }
    }

    @Test
    void withSkipTheCorruptFileIsLeftOutAndCounted() {
        List<String> warnings = new ArrayList<>();
        FolderBatchSource source = FolderBatchSource.builder(train(true, new FolderOptions(16, 2, true)))
                .setBatchSize(4).optShuffle(false).optWarnings(warnings::add).build();
        List<HostBatch> batches = all(source, 0);
        assertThat(batches.stream().mapToInt(HostBatch::size).sum()).isEqualTo(12);
        assertThat(batches.get(2).labels()).containsExactly(2, 2, 2); // dog/b, [broken skipped], dog/c, dog/e ...
        assertThat(source.skippedImages()).isEqualTo(1);
        all(source, 1);
        assertThat(source.skippedImages()).isEqualTo(1);
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0)).contains("broken.jpg").contains("1 skipped");
    }

    @Test
    void batchesAreTheSameWithOneAndThreeWorkersAndDependOnTheSeed() {
        FolderImages one = train(false, new FolderOptions(16, 1, false));
        FolderImages three = one.withOptions(new FolderOptions(16, 3, false));
        for (int epoch = 0; epoch < 2; epoch++) {
            assertSame(all(augmented(one, 7), epoch), all(augmented(three, 7), epoch));
        }
        List<HostBatch> other = all(augmented(one, 8), 0);
        assertThat(other.get(0).features()).isNotEqualTo(all(augmented(one, 7), 0).get(0).features());
        assertThat(all(augmented(one, 7), 1).get(0).features()).isNotEqualTo(all(augmented(one, 7), 0).get(0).features());
    }

    @Test
    void closingStopsTheWorkers() {
        FolderBatchSource source = augmented(train(false, new FolderOptions(16, 3, false)), 1);
        FolderLoader it = (FolderLoader) source.epoch(0);
        it.next();
        it.close();
        assertThat(it.workersAlive()).isFalse();
        assertThat(it.hasNext()).isFalse();
    }

    @Test
    void aFolderSplitHoldsOutByClass() {
        FolderImages train = train(false, new FolderOptions(16, 1, false));
        HeldOutSplit<FolderImages> split = HeldOutSplit.of(train, 3, 1);
        assertThat(split.heldOut().labelCounts()).containsExactly(1, 1, 1);
        assertThat(split.train().size()).isEqualTo(9);
        assertThat(split.train().limit(2).files()).containsExactly(split.train().file(0), split.train().file(1));
    }

    @Test
    void imagenetNormalisationIsTheReferences() {
        assertThat(Normalization.IMAGENET.mean(0)).isEqualTo(0.485f);
        assertThat(Normalization.IMAGENET.std(2)).isEqualTo(0.225f);
    }

    private static FolderBatchSource augmented(FolderImages images, long seed) {
        return FolderBatchSource.builder(images).setBatchSize(5).optAugment(true).optSeed(seed).optPrefetch(1).build();
    }

    /** Every batch of an epoch, copied (the loader reuses its buffers). */
    static List<HostBatch> all(BatchSource source, int epoch) {
        List<HostBatch> out = new ArrayList<>();
        try (BatchSource.BatchIterator it = source.epoch(epoch)) {
            while (it.hasNext()) {
                HostBatch b = it.next();
                out.add(new HostBatch(b.features().clone(), b.shape(), b.labels().clone()));
            }
        }
        return out;
    }

    private static void assertSame(List<HostBatch> a, List<HostBatch> b) {
        assertThat(a).hasSameSizeAs(b);
        for (int i = 0; i < a.size(); i++) {
            assertThat(a.get(i).labels()).containsExactly(b.get(i).labels());
            assertThat(a.get(i).features()).containsExactly(b.get(i).features());
        }
    }
}
