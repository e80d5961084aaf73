"""The PyTorch reference definitions of twa4j's model zoo, for the interop tests and `twa4j bench --peer`.

VGG, PreResNet and WideResNet are written from nblt/TWA's models/ (vgg.py, preresnet.py,
wide_resnet.py; timgaripov/swa has the same VGG and PreResNet, and the WideResNet28x10 that
WideResNet28x10 follows); resnet18/50 are torchvision's where torchvision imports, else the twin
below (same modules, names and forward). cnn is the nn.Sequential the README states.

Commands (tensors are safetensors files; output is one JSON object on stdout):
  shapes                          every model's state_dict: [[key, shape, dtype], ...] by model
  logits MODEL WEIGHTS INPUT      load WEIGHTS with strict=True, eval mode, logits of INPUT's "x"
  make MODEL SEED OUT INPUT       a seeded fresh model (BatchNorm statistics and affine randomised),
                                  its state_dict saved to OUT, and its logits of INPUT's "x"
  both MODEL WEIGHTS SEED OUT INPUT  logits, then make, in one process: {"loaded": ..., "made": ...}
"""
import json
import sys
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F
try:  # the interop commands read and write safetensors; bench --peer needs only the models
    from safetensors.torch import load_file, save_file
except ImportError:
    load_file = save_file = None

# --- VGG (models/vgg.py) ---
VGG_CFG = {
    16: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
    19: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'],
}


def vgg_layers(cfg, batch_norm):
    layers, channels = [], 3
    for v in cfg:
        if v == 'M':
            layers += [nn.MaxPool2d(kernel_size=2, stride=2)]
        else:
            conv = nn.Conv2d(channels, v, kernel_size=3, padding=1)
            layers += [conv, nn.BatchNorm2d(v), nn.ReLU(inplace=True)] if batch_norm else [conv, nn.ReLU(inplace=True)]
            channels = v
    return nn.Sequential(*layers)


class VGG(nn.Module):
    def __init__(self, num_classes=10, depth=16, batch_norm=False):
        super().__init__()
        self.features = vgg_layers(VGG_CFG[depth], batch_norm)
        self.classifier = nn.Sequential(nn.Dropout(), nn.Linear(512, 512), nn.ReLU(True), nn.Dropout(),
                                        nn.Linear(512, 512), nn.ReLU(True), nn.Linear(512, num_classes))

    def forward(self, x):
        return self.classifier(self.features(x).view(x.size(0), -1))


# --- PreResNet (models/preresnet.py) ---
class PreBasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.downsample = downsample

    def forward(self, x):
        out = self.conv1(self.relu(self.bn1(x)))
        out = self.conv2(self.relu(self.bn2(out)))
        return out + (x if self.downsample is None else self.downsample(x))


class PreBottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(inplanes)
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        out = self.conv1(self.relu(self.bn1(x)))
        out = self.conv2(self.relu(self.bn2(out)))
        out = self.conv3(self.relu(self.bn3(out)))
        return out + (x if self.downsample is None else self.downsample(x))


class PreResNet(nn.Module):
    def __init__(self, num_classes=10, depth=110):
        super().__init__()
        block = PreBottleneck if depth >= 44 else PreBasicBlock
        n = (depth - 2) // 9 if depth >= 44 else (depth - 2) // 6
        self.inplanes = 16
        self.conv1 = nn.Conv2d(3, 16, kernel_size=3, padding=1, bias=False)
        self.layer1 = self._make_layer(block, 16, n)
        self.layer2 = self._make_layer(block, 32, n, stride=2)
        self.layer3 = self._make_layer(block, 64, n, stride=2)
        self.bn = nn.BatchNorm2d(64 * block.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.avgpool = nn.AvgPool2d(8)
        self.fc = nn.Linear(64 * block.expansion, num_classes)

    def _make_layer(self, block, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(nn.Conv2d(self.inplanes, planes * block.expansion, 1, stride=stride, bias=False))
        layers = [block(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * block.expansion
        layers += [block(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.layer3(self.layer2(self.layer1(self.conv1(x))))
        x = self.avgpool(self.relu(self.bn(x)))
        return self.fc(x.view(x.size(0), -1))


# --- WideResNet28x10 (timgaripov/swa models/wide_resnet.py) ---
class WideBasic(nn.Module):
    def __init__(self, in_planes, planes, dropout_rate, stride=1):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(in_planes)
        self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=3, padding=1, bias=True)
        self.dropout = nn.Dropout(p=dropout_rate)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=stride, padding=1, bias=True)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != planes:
            self.shortcut = nn.Sequential(nn.Conv2d(in_planes, planes, kernel_size=1, stride=stride, bias=True))

    def forward(self, x):
        out = self.dropout(self.conv1(F.relu(self.bn1(x))))
        out = self.conv2(F.relu(self.bn2(out)))
        return out + self.shortcut(x)


class SwaWideResNet(nn.Module):
    def __init__(self, num_classes=10, depth=28, widen_factor=10, dropout_rate=0.):
        super().__init__()
        self.in_planes = 16
        n = (depth - 4) // 6
        stages = [16, 16 * widen_factor, 32 * widen_factor, 64 * widen_factor]
        self.conv1 = nn.Conv2d(3, stages[0], kernel_size=3, stride=1, padding=1, bias=True)
        self.layer1 = self._wide_layer(stages[1], n, dropout_rate, 1)
        self.layer2 = self._wide_layer(stages[2], n, dropout_rate, 2)
        self.layer3 = self._wide_layer(stages[3], n, dropout_rate, 2)
        self.bn1 = nn.BatchNorm2d(stages[3], momentum=0.9)
        self.linear = nn.Linear(stages[3], num_classes)

    def _wide_layer(self, planes, num_blocks, dropout_rate, stride):
        layers = []
        for s in [stride] + [1] * (num_blocks - 1):
            layers.append(WideBasic(self.in_planes, planes, dropout_rate, s))
            self.in_planes = planes
        return nn.Sequential(*layers)

    def forward(self, x):
        out = self.layer3(self.layer2(self.layer1(self.conv1(x))))
        out = F.avg_pool2d(F.relu(self.bn1(out)), 8)
        return self.linear(out.view(out.size(0), -1))


# --- WideResNet16x8 (nblt/TWA models/wide_resnet.py) ---
class BasicUnit(nn.Module):
    def __init__(self, channels, dropout):
        super().__init__()
        self.block = nn.Sequential(OrderedDict([
            ("0_normalization", nn.BatchNorm2d(channels)),
            ("1_activation", nn.ReLU(inplace=True)),
            ("2_convolution", nn.Conv2d(channels, channels, (3, 3), stride=1, padding=1, bias=False)),
            ("3_normalization", nn.BatchNorm2d(channels)),
            ("4_activation", nn.ReLU(inplace=True)),
            ("5_dropout", nn.Dropout(dropout, inplace=True)),
            ("6_convolution", nn.Conv2d(channels, channels, (3, 3), stride=1, padding=1, bias=False)),
        ]))

    def forward(self, x):
        return x + self.block(x)


class DownsampleUnit(nn.Module):
    def __init__(self, in_channels, out_channels, stride, dropout):
        super().__init__()
        self.norm_act = nn.Sequential(OrderedDict([
            ("0_normalization", nn.BatchNorm2d(in_channels)),
            ("1_activation", nn.ReLU(inplace=True)),
        ]))
        self.block = nn.Sequential(OrderedDict([
            ("0_convolution", nn.Conv2d(in_channels, out_channels, (3, 3), stride=stride, padding=1, bias=False)),
            ("1_normalization", nn.BatchNorm2d(out_channels)),
            ("2_activation", nn.ReLU(inplace=True)),
            ("3_dropout", nn.Dropout(dropout, inplace=True)),
            ("4_convolution", nn.Conv2d(out_channels, out_channels, (3, 3), stride=1, padding=1, bias=False)),
        ]))
        self.downsample = nn.Conv2d(in_channels, out_channels, (1, 1), stride=stride, padding=0, bias=False)

    def forward(self, x):
        x = self.norm_act(x)
        return self.block(x) + self.downsample(x)


class WrnBlock(nn.Module):
    def __init__(self, in_channels, out_channels, stride, depth, dropout):
        super().__init__()
        self.block = nn.Sequential(DownsampleUnit(in_channels, out_channels, stride, dropout),
                                   *(BasicUnit(out_channels, dropout) for _ in range(depth)))

    def forward(self, x):
        return self.block(x)


class TwaWideResNet(nn.Module):
    def __init__(self, depth, width_factor, dropout, in_channels, num_classes):
        super().__init__()
        filters = [16, 16 * width_factor, 32 * width_factor, 64 * width_factor]
        block_depth = (depth - 4) // 6
        self.f = nn.Sequential(OrderedDict([
            ("0_convolution", nn.Conv2d(in_channels, filters[0], (3, 3), stride=1, padding=1, bias=False)),
            ("1_block", WrnBlock(filters[0], filters[1], 1, block_depth, dropout)),
            ("2_block", WrnBlock(filters[1], filters[2], 2, block_depth, dropout)),
            ("3_block", WrnBlock(filters[2], filters[3], 2, block_depth, dropout)),
            ("4_normalization", nn.BatchNorm2d(filters[3])),
            ("5_activation", nn.ReLU(inplace=True)),
            ("6_pooling", nn.AvgPool2d(kernel_size=8)),
            ("7_flattening", nn.Flatten()),
            ("8_classification", nn.Linear(in_features=filters[3], out_features=num_classes)),
        ]))

    def forward(self, x):
        return self.f(x)


# --- torchvision's ResNet, where torchvision is missing (same module names and forward) ---
class TvBasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        return self.relu(out + (x if self.downsample is None else self.downsample(x)))


class TvBottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + (x if self.downsample is None else self.downsample(x)))


class TvResNet(nn.Module):
    def __init__(self, block, layers, num_classes=1000):
        super().__init__()
        self.inplanes = 64
        self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], stride=2)
        self.layer3 = self._make_layer(block, 256, layers[2], stride=2)
        self.layer4 = self._make_layer(block, 512, layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)

    def _make_layer(self, block, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(nn.Conv2d(self.inplanes, planes * block.expansion, 1, stride=stride, bias=False),
                                       nn.BatchNorm2d(planes * block.expansion))
        layers = [block(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * block.expansion
        layers += [block(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def resnet(depth, num_classes):
    try:
        import torchvision
        return getattr(torchvision.models, 'resnet%d' % depth)(num_classes=num_classes)
    except ImportError:
        if depth == 18:
            return TvResNet(TvBasicBlock, [2, 2, 2, 2], num_classes)
        return TvResNet(TvBottleneck, [3, 4, 6, 3], num_classes)


def cnn(num_classes, in_channels=1, height=28, width=28):
    return nn.Sequential(nn.Conv2d(in_channels, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(64 * (height // 4) * (width // 4), 128), nn.ReLU(), nn.Linear(128, num_classes))


def build(name, num_classes=10, input_shape=(3, 32, 32)):
    c, h, w = input_shape
    return {
        'VGG16': lambda: VGG(num_classes, 16, False),
        'VGG16BN': lambda: VGG(num_classes, 16, True),
        'VGG19BN': lambda: VGG(num_classes, 19, True),
        'PreResNet20': lambda: PreResNet(num_classes, 20),
        'PreResNet110': lambda: PreResNet(num_classes, 110),
        'PreResNet164': lambda: PreResNet(num_classes, 164),
        'WideResNet28x10': lambda: SwaWideResNet(num_classes, 28, 10),
        'WideResNet16x8': lambda: TwaWideResNet(16, 8, 0, 3, num_classes),
        'resnet18': lambda: resnet(18, num_classes),
        'resnet50': lambda: resnet(50, num_classes),
        'cnn': lambda: cnn(num_classes, c, h, w),
    }[name]()


MODELS = ['VGG16', 'VGG16BN', 'VGG19BN', 'PreResNet20', 'PreResNet110', 'PreResNet164', 'WideResNet28x10',
          'WideResNet16x8', 'resnet18', 'resnet50', 'cnn']


def logits_of(model, input_file):
    x = load_file(input_file)['x']
    model.eval()
    with torch.no_grad():
        return model(x).tolist()


def randomise(model, seed):
    """Fresh weights, then BatchNorm affine and statistics away from 1/0 so that a swapped name shows."""
    g = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                n = m.num_features
                m.weight.copy_(1 + 0.2 * torch.randn(n, generator=g))
                m.bias.copy_(0.2 * torch.randn(n, generator=g))
                m.running_mean.copy_(0.2 * torch.randn(n, generator=g))
                m.running_var.copy_(0.5 + torch.rand(n, generator=g))
                m.num_batches_tracked.fill_(7)
            elif isinstance(m, nn.Linear) and not m.weight.abs().sum() > 0:
                m.weight.normal_(0, 0.05, generator=g)


def loaded(name, weights, input_file):
    """The logits of the reference loaded (strict=True) from WEIGHTS."""
    x = load_file(input_file)['x']
    model = build(name, 10, tuple(x.shape[1:]))
    model.load_state_dict(load_file(weights), strict=True)
    return logits_of(model, input_file)


def made(name, seed, out_file, input_file):
    """A seeded fresh reference, saved to OUT as safetensors and to OUT.pt as the reference's
    save_checkpoint writes a DataParallel model (epoch, 'module.' keys, optimizer state); its logits."""
    x = load_file(input_file)['x']
    torch.manual_seed(seed)
    model = build(name, 10, tuple(x.shape[1:]))
    randomise(model, seed)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, out_file, metadata={'format': 'pt'})
    with torch.no_grad():
        saved = {k: v.clone() for k, v in model.state_dict().items()}
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(x).sum().backward()
    optimizer.step()  # momentum buffers in the optimizer's state; the weights saved are those before the step
    torch.save({'epoch': 3, 'state_dict': {'module.' + k: v for k, v in saved.items()}, 'optimizer': optimizer.state_dict()},
               out_file + '.pt')
    model.load_state_dict(saved)
    return logits_of(model, input_file)


def main(argv):
    command = argv[0]
    if command == 'shapes':
        out = {}
        for name in MODELS:
            shape = (1, 28, 28) if name == 'cnn' else (3, 32, 32)
            out[name] = [[k, list(v.shape), str(v.dtype)] for k, v in build(name, 10, shape).state_dict().items()]
        print(json.dumps(out))
    elif command == 'logits':
        print(json.dumps({'logits': loaded(*argv[1:4])}))
    elif command == 'make':
        print(json.dumps({'logits': made(argv[1], int(argv[2]), argv[3], argv[4])}))
    elif command == 'both':
        name, weights, seed, out_file, input_file = argv[1:6]
        print(json.dumps({'loaded': loaded(name, weights, input_file), 'made': made(name, int(seed), out_file, input_file)}))
    else:
        raise SystemExit('unknown command ' + command)


if __name__ == '__main__':
    main(sys.argv[1:])
