"""Times Python onnxruntime on the tokens written by `cargo run --example ort_parity` (same model,
same session options: 2 intra-op threads, 1 inter-op thread, ORT_ENABLE_ALL, CPU arena on)."""
import json, sys, time
import numpy as np
import onnxruntime as ort

model, tokens, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
so = ort.SessionOptions()
so.intra_op_num_threads = 2
so.inter_op_num_threads = 1
so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
sess = ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])
names = [i.name for i in sess.get_inputs()]
for c in json.load(open(tokens)):
    feed = {
        names[0]: np.array([[0] + c["ids"] + [0]], dtype=np.int64),
        "style": np.array([c["style"]], dtype=np.float32),
        "speed": np.array([1.0], dtype=np.float32),
    }
    sess.run(None, feed)  # warm-up
    ms = []
    for _ in range(reps):
        t = time.perf_counter()
        sess.run(None, feed)
        ms.append((time.perf_counter() - t) * 1000)
    print(json.dumps({"engine": "python-ort " + ort.__version__, "case": c["case"], "ms": ms}))
