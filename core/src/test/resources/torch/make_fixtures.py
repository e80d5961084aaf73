"""Writes the .pt fixtures of TorchFilesTest and expected.json, their exact contents.

Run once with PyTorch (2.13 was used):  python make_fixtures.py  (in this folder).
The malicious files are written by torch.save / pickle and must NEVER be loaded in Python:
loading them runs `touch /tmp/twa4j-pwned`.
"""
import json
import os
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))


def path(name):
    return os.path.join(HERE, name)


def tiny_model():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(), nn.Flatten(), nn.Linear(8, 3))
    model.train()
    model(torch.randn(4, 1, 4, 4))  # running statistics and num_batches_tracked = 1
    return model


def dtypes():
    torch.manual_seed(1)
    base = torch.randn(12)
    mat = torch.randn(3, 4)
    return {
        'f32': torch.randn(2, 3),
        'f16': torch.tensor([1.5, -2.0, 65504.0, 6e-8, 0.1], dtype=torch.float16),
        'bf16': torch.randn(2, 2).to(torch.bfloat16),
        'f64': torch.tensor([[0.1, -1e300], [3.0, 5e-324]], dtype=torch.float64),
        'i64': torch.tensor([1 << 40, -5, 0], dtype=torch.int64),
        'i32': torch.tensor([7, -8], dtype=torch.int32),
        'i16': torch.tensor([-300, 300], dtype=torch.int16),
        'i8': torch.tensor([-128, 127], dtype=torch.int8),
        'u8': torch.tensor([0, 255], dtype=torch.uint8),
        'bool': torch.tensor([True, False, True]),
        'scalar': torch.tensor(2.5),
        'steps': torch.tensor(7),
        'empty': torch.zeros(0, 3),
        'transposed': mat.t(),            # strides (1, 4): not contiguous
        'every_other': mat[:, ::2],       # strides (4, 2)
        'tail': mat[1:],                  # storage offset 4
        'shared_a': base[:6].view(2, 3),  # shares base's storage
        'shared_b': base[6:],             # offset 6 in the same storage
        'whole': base,
    }


def expected(tensors):
    out = []
    for name, t in tensors.items():
        c = t.contiguous()
        values = c.flatten().tolist() if not c.is_floating_point() else c.double().flatten().tolist()
        if c.dtype == torch.bool:
            values = [int(v) for v in values]
        out.append({'name': name, 'dtype': str(t.dtype), 'shape': list(t.shape), 'values': values})
    return out


class Evil:
    """Pickles as a call of os.system (posix.system on Linux)."""

    def __reduce__(self):
        return (os.system, ('touch /tmp/twa4j-pwned',))


class EvalEvil:
    def __reduce__(self):
        return (eval, ("__import__('os').system('touch /tmp/twa4j-pwned')",))


def main():
    model = tiny_model()
    sd = model.state_dict()  # shares memory with the parameters: record it before the optimizer step
    exp = {'tiny_model.pt': {'tensors': expected(sd)}, 'tiny_model_p4.pt': {'tensors': expected(sd)}}
    torch.save(sd, path('tiny_model.pt'))
    torch.save(sd, path('tiny_model_p4.pt'), pickle_protocol=4)
    d = dtypes()
    torch.save(d, path('dtypes.pt'))
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    model(torch.randn(2, 1, 4, 4)).sum().backward()
    opt.step()
    sd2 = model.state_dict()
    torch.save({'epoch': 3, 'arch': 'tiny', 'best_prec1': 41.5, 'note': None, 'state_dict': sd2,
                'optimizer': opt.state_dict()}, path('checkpoint.pt'))
    torch.save(sd, path('legacy.pt'), _use_new_zipfile_serialization=False)
    torch.save({'w': torch.ones(2), 'evil': Evil()}, path('malicious.pt'))
    torch.save({'w': torch.ones(2), 'evil': EvalEvil()}, path('malicious_eval.pt'))
    exp['dtypes.pt'] = {'tensors': expected(d)}
    exp['checkpoint.pt'] = {'tensors': expected(sd2)}
    with open(path('expected.json'), 'w') as f:
        json.dump(exp, f, indent=1)


if __name__ == '__main__':
    main()
