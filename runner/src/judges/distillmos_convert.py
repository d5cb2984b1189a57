"""DistillMOS's weights (`distill_mos_v7.pt`, torch's zip format) to a plain `.npz`, without
torch: a restricted unpickler that only rebuilds tensors and ordered dicts, then each float
tensor's bytes from the zip's `data/<key>` members. Deterministic output (fixed zip timestamps,
the checkpoint's own order), so its SHA-256 can be pinned.

Usage: python distillmos_convert.py distill_mos_v7.pt out.npz
"""
import collections
import pickle
import struct
import sys
import zipfile


def rebuild(storage, offset, size, stride, *_):
    return (storage, offset, tuple(size), tuple(stride))


class Restricted(pickle.Unpickler):
    def persistent_load(self, pid):
        return pid  # ('storage', storage type, key, location, numel)

    def find_class(self, module, name):
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return rebuild
        if module == "torch" and name in ("FloatStorage", "LongStorage"):
            return name
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a weights file")


def npy(size, data):
    shape = ", ".join(str(d) for d in size) + ("," if len(size) == 1 else "")
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }" % shape
    header = header.ljust(118 - 1) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + data


def main(src, dst):
    with zipfile.ZipFile(src) as pt:
        pkl = next(n for n in pt.namelist() if n.endswith("/data.pkl"))
        prefix = pkl[: -len("data.pkl")]
        with pt.open(pkl) as f:
            state = Restricted(f).load()["model"]
        with zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as z:
            for name, value in state.items():
                storage, offset, size, stride = value
                if storage[1] != "FloatStorage":
                    continue  # BatchNorm's num_batches_tracked counters
                count = 1
                for d in size:
                    count *= d
                c_order = []
                step = 1
                for d in reversed(size):
                    c_order.insert(0, step)
                    step *= d
                assert stride == tuple(c_order), f"{name}: unexpected stride {stride}"
                data = pt.read(f"{prefix}data/{storage[2]}")[4 * offset: 4 * (offset + count)]
                assert len(data) == 4 * count, f"{name}: storage too short"
                info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
                z.writestr(info, npy(size, data))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
