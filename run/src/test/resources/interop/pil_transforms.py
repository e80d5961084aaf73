"""torchvision's ImageNet transforms, computed by PIL as torchvision computes them, for one image.

    pil_transforms.py IMAGE.png SIZE RESIZE OUT.json  [CROP i,j,h,w,flip ...]

Writes {"eval": [...], "crops": [[...], ...]}: the evaluation transform (Resize(RESIZE) of the shorter
side as torchvision.transforms.functional.resize sizes it, then CenterCrop(SIZE) as center_crop rounds it)
and, for each CROP, resized_crop(img, i, j, h, w, SIZE) (crop, then resize) then the flip; each as
the uint8 values in CHW order. torchvision itself is not needed: these are its formulas on PIL.
"""
import json
import sys

from PIL import Image


def chw(img):
    w, h = img.size
    px = img.load()
    return [px[x, y][c] for c in range(3) for y in range(h) for x in range(w)]


def evaluation(img, size, resize):
    w, h = img.size
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = resize, int(resize * long / short)
    new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    img = img.resize((new_w, new_h), Image.BILINEAR)
    top = int(round((new_h - size) / 2.0))
    left = int(round((new_w - size) / 2.0))
    return img.crop((left, top, left + size, top + size))


def crop(img, size, i, j, h, w, flip):
    out = img.crop((j, i, j + w, i + h)).resize((size, size), Image.BILINEAR)
    return out.transpose(Image.FLIP_LEFT_RIGHT) if flip else out


def main(argv):
    img = Image.open(argv[0]).convert('RGB')
    size, resize = int(argv[1]), int(argv[2])
    crops = []
    for spec in argv[4:]:
        i, j, h, w, flip = spec.split(',')
        crops.append(chw(crop(img, size, int(i), int(j), int(h), int(w), flip == '1')))
    with open(argv[3], 'w') as f:
        json.dump({'eval': chw(evaluation(img, size, resize)), 'crops': crops}, f)
    print(json.dumps({'ok': True}))


if __name__ == '__main__':
    main(sys.argv[1:])
