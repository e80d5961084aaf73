package io.twa4j.core.data;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The engine arrays of a host batch: channels-last images hold the host's NCHW values unchanged. */
class HostBatchTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void imagesKeepTheirShapeAndEveryValue(int channels) {
        int n = 2;
        int h = 3;
        int w = 4;
        float[] values = new float[n * channels * h * w];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.5f - 7;
        }
        HostBatch batch = new HostBatch(values, new Shape(n, channels, h, w), new int[] {0, 1});
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray features = batch.features(manager);
            assertThat(features.getShape()).isEqualTo(new Shape(n, channels, h, w));
            // element (b, c, y, x) is values[((b C + c) H + y) W + x], whatever the memory format
            for (int b = 0; b < n; b++) {
                for (int c = 0; c < channels; c++) {
                    for (int y = 0; y < h; y++) {
                        for (int x = 0; x < w; x++) {
                            assertThat(features.getFloat(b, c, y, x)).isEqualTo(values[((b * channels + c) * h + y) * w + x]);
                        }
                    }
                }
            }
            // and a reshape (a flatten layer) reads them in NCHW order
            assertThat(features.reshape(n, -1).toFloatArray()).containsExactly(values);
        }
    }

    @Test
    void vectorsAreCreatedAsTheyAre() {
        HostBatch batch = new HostBatch(new float[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3), new int[] {4, 5});
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThat(batch.features(manager).toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(batch.labels(manager).toLongArray()).containsExactly(4, 5);
        }
    }
}
