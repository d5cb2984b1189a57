"""Resemblyzer's GE2E weights (`pretrained.pt`, torch's legacy format) to a plain `.npz`,
without torch: a restricted unpickler that only rebuilds tensors and ordered dicts, then the raw
storages that follow the pickles. Deterministic output (fixed zip timestamps), so its SHA-256
can be pinned.

Usage: python ge2e_convert.py pretrained.pt out.npz
"""
import collections
import pickle
import struct
import sys
import zipfile

KEEP = [f"lstm.{w}_{k}_l{i}" for i in range(3) for w, k in
        [("weight", "ih"), ("weight", "hh"), ("bias", "ih"), ("bias", "hh")]] + ["linear.weight", "linear.bias"]


def rebuild(storage, offset, size, stride, *_):
    return (storage, offset, tuple(size), tuple(stride))


class Restricted(pickle.Unpickler):
    def persistent_load(self, pid):
        return pid

    def find_class(self, module, name):
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return rebuild
        if module == "torch" and name == "FloatStorage":
            return name
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a weights file")


def main(src, dst):
    with open(src, "rb") as f:
        for _ in range(3):  # magic number, protocol version, system info
            Restricted(f).load()
        state = Restricted(f).load()["model_state"]
        keys = Restricted(f).load()
        storages = {}
        for key in keys:
            (n,) = struct.unpack("<q", f.read(8))
            storages[key] = f.read(4 * n)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as z:
        for name in KEEP:
            storage, offset, size, stride = state[name]
            key = storage[2]  # ('storage', type, key, location, size[, view])
            count = 1
            for d in size:
                count *= d
            c_order = tuple(int(x) for x in ([1] if len(size) == 1 else [size[1], 1]))
            assert stride == c_order, f"{name}: unexpected stride {stride}"
            data = storages[key][4 * offset: 4 * (offset + count)]
            header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }" % (
                ", ".join(str(d) for d in size) + ("," if len(size) == 1 else ""))
            header = header.ljust(118 - 1) + "\n"
            npy = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + data
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            z.writestr(info, npy)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
