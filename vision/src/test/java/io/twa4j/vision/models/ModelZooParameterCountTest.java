package io.twa4j.vision.models;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Trainable-parameter counts against the reference definitions.
 *
 * <p>Where the numbers come from. torchvision's ResNets are the published figures (resnet18
 * 11,689,512; resnet50 25,557,032 at 1000 classes). All others were computed layer by layer from
 * the reference Python definitions with a short independent arithmetic script (conv {@code
 * in*out*k*k (+out if bias)}, BN {@code 2c}, Linear {@code in*out+out}), the same script that
 * reproduces both torchvision figures above exactly:
 *
 * <ul>
 *   <li>VGG (swa/TWA vgg.py, biased 3x3 convs): features D = 14,714,688, E = 20,024,384 (the
 *       familiar torchvision feature counts); BN adds 2*4224 = 8,448 (D) or 2*5504 = 11,008 (E);
 *       classifier 2*(512*512+512) + 512*c+c = 525,312 + 513c. VGG16 c=10: 15,245,130; VGG16BN:
 *       15,253,578; VGG19BN: 20,565,834; VGG16BN c=100: 15,299,748.
 *   <li>PreResNet (swa/TWA preresnet.py): depth >= 44 means Bottleneck with n=(depth-2)/9, so 110
 *       has 12 and 164 has 18 Bottlenecks per stage; stem conv 3*16*9, three 1x1 projections,
 *       head BN(256) + Linear(256, c). PreResNet110: 1,146,842; PreResNet164: 1,703,258 (the
 *       published "1.7M" of PreResNet-164); PreResNet164 c=100: 1,726,388. Below 44, BasicBlock with n=(depth-2)/6: PreResNet20 has 3 per
 *       stage: stem 432; stage 1: 3*(2*32 + 2*2304) = 14,016; stage 2: 32+4608+64+9216+512 (1x1
 *       projection) + 2*(2*64 + 2*9216) = 51,552; stage 3: 64+18432+128+36864+2048 +
 *       2*(2*128 + 2*36864) = 205,504; head BN(64) 128 + Linear(64, 10) 650: 272,282.
 *   <li>WideResNet28x10 (swa wide_resnet.py, biased convs, projection where shape changes):
 *       36,489,290 (the published "36.5M"); c=100: 36,546,980.
 *   <li>WideResNet16x8 (TWA wide_resnet.py: downsample unit + 2 identity units per stage, no
 *       conv bias): 17,158,106.
 *   <li>cnn: 32*9+32 + 64 + 32*64*9+64 + 128 + 64*7*7*128+128 + 128*10+10 = 421,834 at 1x28x28;
 *       on 3x32x32 the flatten is 64*8*8: 545,290.
 * </ul>
 */
class ModelZooParameterCountTest {

    @ParameterizedTest(name = "{0} with {1} classes on {2}x{3}x{4}: {5}")
    @CsvSource({
        "VGG16,           10,   3, 32, 32, 15245130",
        "VGG16BN,         10,   3, 32, 32, 15253578",
        "VGG16BN,         100,  3, 32, 32, 15299748",
        "VGG19BN,         10,   3, 32, 32, 20565834",
        "PreResNet20,     10,   3, 32, 32, 272282",
        "PreResNet110,    10,   3, 32, 32, 1146842",
        "PreResNet164,    10,   3, 32, 32, 1703258",
        "PreResNet164,    100,  3, 32, 32, 1726388",
        // Counts do not depend on the spatial size here: the wide net is counted on 8x8.
        "WideResNet28x10, 10,   3,  8,  8, 36489290",
        "WideResNet28x10, 100,  3,  8,  8, 36546980",
        "WideResNet16x8,  10,   3, 32, 32, 17158106",
        "resnet18,        1000, 3, 32, 32, 11689512",
        "resnet18,        10,   3, 32, 32, 11181642",
        "resnet50,        1000, 3, 64, 64, 25557032",
        "cnn,             10,   1, 28, 28, 421834",
        "cnn,             10,   3, 32, 32, 545290"
    })
    void countMatchesReference(
            String name, int classes, int c, int h, int w, long expected) {
        assertThat(ModelZoo.countTrainableParameters(name, classes, new Shape(c, h, w)))
                .isEqualTo(expected);
    }
}
