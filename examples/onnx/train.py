#!/usr/bin/python3
"""Train the ONNX example: scikit-learn's bundled 8x8 digits, logistic regression, exported to ONNX.

Writes, next to this script:
  model.onnx      input "input" FP32 [N, 64] (pixel values 0..16), outputs "label" INT64 [N] and
                  "probabilities" FP32 [N, 10] (the names and order skl2onnx gives a classifier
                  exported with zipmap=False)
  reference.json  a few held-out rows, with scikit-learn's own predict / predict_proba for them:
                  tests/onnx/example_test.ts checks the server answers the same

Offline, with Debian's packages (not run by CI; the outputs are committed):
  apt-get install -y python3-sklearn python3-onnx
  /usr/bin/python3 examples/onnx/train.py && deno fmt examples/onnx/reference.json

skl2onnx is not packaged by Debian 12, so the graph is written with onnx.helper from the fitted
model's coefficients: logits = input @ W + b, probabilities = Softmax(logits), label = ArgMax.
For a multinomial LogisticRegression this is exactly predict_proba / predict.
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))

x, y = load_digits(return_X_y=True)
x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=0)
clf = LogisticRegression(max_iter=5000, C=0.05, random_state=0)
clf.fit(x_train, y_train)
print(f"test accuracy: {clf.score(x_test, y_test):.4f}")

n_features = x.shape[1]
n_classes = len(clf.classes_)
assert list(clf.classes_) == list(range(n_classes))

weights = numpy_helper.from_array(clf.coef_.T.astype(np.float32), name="coef")
bias = numpy_helper.from_array(clf.intercept_.astype(np.float32), name="intercept")
nodes = [
    helper.make_node("MatMul", ["input", "coef"], ["scores"]),
    helper.make_node("Add", ["scores", "intercept"], ["logits"]),
    helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
    helper.make_node("ArgMax", ["logits"], ["label"], axis=1, keepdims=0),
]
graph = helper.make_graph(
    nodes,
    "digits_logistic_regression",
    [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", n_features])],
    [
        helper.make_tensor_value_info("label", TensorProto.INT64, ["N"]),
        helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", n_classes]),
    ],
    [weights, bias],
)
model = helper.make_model(
    graph,
    producer_name="seldon-ts examples/onnx/train.py",
    opset_imports=[helper.make_opsetid("", 13)],
)
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, os.path.join(HERE, "model.onnx"))

rows = x_test[:8]
reference = {
    "input": rows.astype(int).tolist(),
    "label": [int(v) for v in clf.predict(rows)],
    "probabilities": clf.predict_proba(rows).tolist(),
    "class_names": [str(c) for c in clf.classes_],
}
with open(os.path.join(HERE, "reference.json"), "w") as f:
    json.dump(reference, f, separators=(",", ":"))
    f.write("\n")
print(f"wrote model.onnx ({os.path.getsize(os.path.join(HERE, 'model.onnx'))} bytes), reference.json")
