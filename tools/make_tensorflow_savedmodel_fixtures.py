#!/usr/bin/env python3
"""Builds the TensorFlow SavedModel fixtures in Tests/Fixtures/inference/tensorflow/.

    .venv-tensorflow/bin/python tools/make_tensorflow_savedmodel_fixtures.py [out_dir]

Each case is a folder savedmodel_<name>/ holding model/ (what TensorFlow's own writer produced: saved_model.pb,
variables/), inputs/*.npy and outputs/*.npy. The outputs are TensorFlow's own run of the reloaded SavedModel's
serving signature at batch 16. savedmodel-cases.json lists the cases in the fields of the fixture manifests
(paths relative to the tensorflow/ folder). Seeds are fixed; the models are tiny (the whole set is well under
1 MB).

Needs tensorflow-cpu (requirements/tensorflow.txt, in .venv-tensorflow).
"""

import json
import os
import shutil
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(REPO, "Tests", "Fixtures", "inference", "tensorflow")
BATCH = 16


def randomize_batch_norm(model, rng):
    """Untrained BatchNorm layers hold mean 0 and variance 1; give them statistics that change the numbers."""
    for layer in model.layers:
        if isinstance(layer, tf.keras.layers.BatchNormalization):
            gamma, beta, mean, variance = layer.get_weights()
            layer.set_weights([
                rng.uniform(0.5, 1.5, gamma.shape).astype(np.float32),
                rng.normal(0, 0.2, beta.shape).astype(np.float32),
                rng.normal(0, 0.3, mean.shape).astype(np.float32),
                rng.uniform(0.5, 2.0, variance.shape).astype(np.float32),
            ])


def keras_cnn():
    """A small NHWC CNN with BatchNorm, saved with tf.saved_model.save."""
    inputs = tf.keras.Input((12, 12, 3), name="image")
    x = tf.keras.layers.Conv2D(6, 3, padding="same")(inputs)
    x = tf.keras.layers.BatchNormalization()(x)
    x = tf.keras.layers.ReLU()(x)
    x = tf.keras.layers.MaxPooling2D(2)(x)
    x = tf.keras.layers.Conv2D(8, 3, strides=2, padding="valid", use_bias=False)(x)
    x = tf.keras.layers.BatchNormalization(epsilon=1e-3)(x)
    x = tf.keras.layers.Activation("relu")(x)
    x = tf.keras.layers.GlobalAveragePooling2D()(x)
    outputs = tf.keras.layers.Dense(5, activation="softmax", name="probabilities")(x)
    return tf.keras.Model(inputs, outputs)


class ModuleMLP(tf.Module):
    """A tf.Module with its own variables and a tf.function serving signature with two outputs."""

    def __init__(self, rng):
        super().__init__()
        self.w1 = tf.Variable(rng.normal(0, 0.5, (10, 16)).astype(np.float32), name="w1")
        self.b1 = tf.Variable(rng.normal(0, 0.1, (16,)).astype(np.float32), name="b1")
        self.w2 = tf.Variable(rng.normal(0, 0.5, (16, 4)).astype(np.float32), name="w2")
        self.b2 = tf.Variable(rng.normal(0, 0.1, (4,)).astype(np.float32), name="b2")

    @tf.function(input_signature=[tf.TensorSpec([None, 10], tf.float32, name="features")])
    def serve(self, features):
        hidden = tf.nn.tanh(tf.matmul(features, self.w1) + self.b1)
        logits = tf.matmul(hidden, self.w2) + self.b2
        return {"logits": logits, "scores": tf.nn.sigmoid(logits)}


class ModuleConvOps(tf.Module):
    """Raw TensorFlow ops in a tf.function: Conv2D, FusedBatchNormV3 (inference), Relu6, a depthwise convolution,
    Split (the second part is output 1 of a list-valued argument) and Mean, NHWC."""

    def __init__(self, rng):
        super().__init__()
        self.kernel = tf.Variable(rng.normal(0, 0.4, (3, 3, 3, 4)).astype(np.float32), name="kernel")
        self.scale = tf.Variable(rng.uniform(0.5, 1.5, (4,)).astype(np.float32), name="scale")
        self.offset = tf.Variable(rng.normal(0, 0.2, (4,)).astype(np.float32), name="offset")
        self.mean = tf.Variable(rng.normal(0, 0.3, (4,)).astype(np.float32), name="mean")
        self.variance = tf.Variable(rng.uniform(0.5, 2.0, (4,)).astype(np.float32), name="variance")
        self.depthwise = tf.Variable(rng.normal(0, 0.4, (3, 3, 4, 1)).astype(np.float32), name="depthwise")

    @tf.function(input_signature=[tf.TensorSpec([None, 10, 10, 3], tf.float32, name="pixels")])
    def serve(self, pixels):
        x = tf.nn.conv2d(pixels, self.kernel, strides=1, padding="SAME")
        x, _, _ = tf.compat.v1.nn.fused_batch_norm(x, self.scale, self.offset, self.mean, self.variance,
                                                   epsilon=1e-3, is_training=False)
        x = tf.nn.relu6(x)
        x = tf.nn.depthwise_conv2d(x, self.depthwise, strides=[1, 2, 2, 1], padding="VALID")
        first, second = tf.split(x, 2, axis=3)
        return {"pooled": tf.reduce_mean(first * second + second, axis=[1, 2])}


class ModuleShardedGather(tf.Module):
    """Embedding lookups with tf.gather on a variable (ResourceGather), an int input beside a float one; saved
    with a small maximum shard size, so that the checkpoint has several data shards and the larger variables are
    split into slices across them."""

    def __init__(self, rng):
        super().__init__()
        self.table = tf.Variable(rng.normal(0, 1, (20, 4)).astype(np.float32), name="table")
        self.weights = tf.Variable(rng.normal(0, 0.5, (4 + 5, 3)).astype(np.float32), name="weights")
        self.bias = tf.Variable(rng.normal(0, 0.1, (3,)).astype(np.float32), name="bias")

    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.int32, name="ids"),
                                  tf.TensorSpec([None, 5], tf.float32, name="dense")])
    def serve(self, ids, dense):
        embedded = tf.reduce_mean(tf.gather(self.table, ids), axis=1)
        joined = tf.concat([embedded, dense], axis=1)
        return {"score": tf.nn.relu(tf.matmul(joined, self.weights) + self.bias)}


def save_tf1_builder(directory, rng):
    """A TF1-style SavedModel (what the original's users brought): a graph-mode MLP with one ref variable
    (VariableV2, read through Identity) and one resource variable, written by SavedModelBuilder with a
    predict signature; the checkpoint keys are the variables' names and the restore graph lives in the graph
    itself (save/RestoreV2 feeding Assign and AssignVariableOp)."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 6], name="x")
        w1 = tf.compat.v1.get_variable("layer1/w", initializer=rng.normal(0, 0.5, (6, 8)).astype(np.float32),
                                       use_resource=False)
        b1 = tf.compat.v1.get_variable("layer1/b", initializer=rng.normal(0, 0.1, (8,)).astype(np.float32),
                                       use_resource=True)
        hidden = tf.nn.relu(tf.matmul(x, w1) + b1)
        w2 = tf.compat.v1.get_variable("layer2/w", initializer=rng.normal(0, 0.5, (8, 2)).astype(np.float32),
                                       use_resource=False)
        y = tf.nn.softmax(tf.matmul(hidden, w2), name="y")
        with tf.compat.v1.Session(graph=graph) as session:
            session.run(tf.compat.v1.global_variables_initializer())
            builder = tf.compat.v1.saved_model.Builder(directory)
            signature = tf.compat.v1.saved_model.predict_signature_def(inputs={"x": x}, outputs={"y": y})
            builder.add_meta_graph_and_variables(session, ["serve"], signature_def_map={"serving_default": signature})
            builder.save()


def save_tf1_partitioned(directory):
    """A TF1 SavedModel whose weight is a partitioned variable (two parts restored from slices of one checkpoint
    tensor): not a fixture case, the reader refuses it (TensorFlowSavedModelTests)."""
    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
        w = tf.compat.v1.get_variable("w", shape=(4, 2), initializer=tf.compat.v1.ones_initializer(),
                                      partitioner=tf.compat.v1.fixed_size_partitioner(2))
        y = tf.matmul(x, w, name="y")
        with tf.compat.v1.Session(graph=graph) as session:
            session.run(tf.compat.v1.global_variables_initializer())
            builder = tf.compat.v1.saved_model.Builder(directory)
            signature = tf.compat.v1.saved_model.predict_signature_def(inputs={"x": x}, outputs={"y": y})
            builder.add_meta_graph_and_variables(session, ["serve"], signature_def_map={"serving_default": signature})
            builder.save()


def keras_exported_mlp():
    """A small Keras model with an embedding of int ids beside float features, written by Model.export (the
    Keras 3 way to make a SavedModel)."""
    ids = tf.keras.Input((4,), dtype="int32", name="ids")
    values = tf.keras.Input((7,), name="values")
    embedded = tf.keras.layers.Flatten()(tf.keras.layers.Embedding(20, 3)(ids))
    x = tf.keras.layers.Concatenate()([embedded, values])
    x = tf.keras.layers.Dense(12, activation="relu")(x)
    x = tf.keras.layers.Dense(3)(x)
    return tf.keras.Model([ids, values], x)


def tiny_bundle(out):
    """A checkpoint of a few known tensors of several dtypes, written by TensorFlow's SaveV2 op, for the tests of
    the bundle reader alone (TensorFlowSavedModelTests hard-codes these values)."""
    root = os.path.join(out, "savedmodel_tiny_bundle")
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root)
    tensors = {
        "dense/kernel": np.arange(6, dtype=np.float32).reshape(2, 3) - 2.5,
        "counts": np.array([1, -2, 3, 40000], np.int32),
        "step": np.array(7, np.int64),
        "doubles": np.array([0.5, -1.25], np.float64),
        "mask": np.array([True, False, True]),
        "halves": np.array([1.5, -2.0], np.float16),
        "bytes": np.array([0, 255], np.uint8),
        "label": np.array(b"hello"),
    }
    names = sorted(tensors)
    tf.raw_ops.SaveV2(prefix=os.path.join(root, "bundle"), tensor_names=names, shape_and_slices=[""] * len(names),
                      tensors=[tf.constant(tensors[name]) for name in names])
    # The same reader on variables split into slices over several shards.
    checkpoint = tf.train.Checkpoint(grid=tf.Variable(np.arange(24, dtype=np.float32).reshape(6, 4)),
                                     steps=tf.Variable(np.arange(10, dtype=np.int64)))
    policy = tf.train.experimental.MaxShardSizePolicy(max_shard_size=40)
    checkpoint.write(os.path.join(root, "sliced"),
                     options=tf.train.CheckpointOptions(experimental_sharding_callback=policy))


def reference(directory, arrays):
    """TensorFlow's own run of the reloaded SavedModel's serving_default signature, `arrays` given to its inputs
    in the order of their names (the writer picks the names: Keras calls a single input "inputs"). Returns the
    inputs and the outputs by name."""
    loaded = tf.saved_model.load(directory)
    function = loaded.signatures["serving_default"]
    names = sorted(function.structured_input_signature[1])
    assert len(names) == len(arrays), names
    inputs = dict(zip(names, arrays))
    results = function(**{name: tf.constant(value) for name, value in inputs.items()})
    return inputs, {name: value.numpy() for name, value in results.items()}


def write_case(out, name, description, save, arrays, cases):
    folder = f"savedmodel_{name}"
    root = os.path.join(out, folder)
    shutil.rmtree(root, ignore_errors=True)
    model_dir = os.path.join(root, "model")
    save(model_dir)
    inputs, outputs = reference(model_dir, arrays)
    for kind, tensors in (("inputs", inputs), ("outputs", outputs)):
        os.makedirs(os.path.join(root, kind), exist_ok=True)
        for tensor_name, value in tensors.items():
            np.save(os.path.join(root, kind, f"{tensor_name}.npy"), value)
    cases.append({
        "name": folder,
        "kind": "model",
        "model": f"{folder}/model",
        "format": "tensorflow-savedmodel",
        "inputs": {key: f"{folder}/inputs/{key}.npy" for key in sorted(inputs)},
        "outputs": {key: f"{folder}/outputs/{key}.npy" for key in sorted(outputs)},
        "input_order": sorted(inputs),
        "output_order": sorted(outputs),
        "atol": 1e-5,
        "rtol": 1e-4,
        "batch_invariant": True,
        "description": description,
    })


def main():
    out = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUT)
    os.makedirs(out, exist_ok=True)
    tf.keras.utils.set_random_seed(11)
    rng = np.random.default_rng(11)
    cases = []

    cnn = keras_cnn()
    randomize_batch_norm(cnn, rng)
    write_case(out, "keras_cnn", "Keras CNN (Conv2D SAME/VALID, BatchNorm, ReLU, MaxPool, GAP, Dense softmax), "
               "NHWC, tf.saved_model.save", lambda d: tf.saved_model.save(cnn, d),
               [rng.normal(0, 1, (BATCH, 12, 12, 3)).astype(np.float32)], cases)

    module = ModuleMLP(rng)
    write_case(out, "module_mlp", "tf.Module MLP (MatMul, tanh, sigmoid) with a tf.function signature of two "
               "outputs, tf.saved_model.save", lambda d: tf.saved_model.save(module, d, signatures=module.serve),
               [rng.normal(0, 1, (BATCH, 10)).astype(np.float32)], cases)

    conv = ModuleConvOps(rng)
    write_case(out, "module_conv_ops", "tf.Module of raw ops (Conv2D, FusedBatchNormV3, Relu6, depthwise Conv2D, "
               "Split, Mean), NHWC, tf.saved_model.save", lambda d: tf.saved_model.save(conv, d, signatures=conv.serve),
               [rng.normal(0, 1, (BATCH, 10, 10, 3)).astype(np.float32)], cases)

    gather = ModuleShardedGather(rng)
    sharding = tf.saved_model.SaveOptions(
        experimental_sharding_callback=tf.train.experimental.MaxShardSizePolicy(max_shard_size=200))
    write_case(out, "module_sharded_gather", "tf.Module: tf.gather on a variable (ResourceGather), an int32 and a "
               "float input, Concat, MatMul; a checkpoint of several data shards, variables split in slices",
               lambda d: tf.saved_model.save(gather, d, signatures=gather.serve, options=sharding),
               [rng.normal(0, 1, (BATCH, 5)).astype(np.float32), rng.integers(0, 20, (BATCH, 3)).astype(np.int32)],
               cases)

    write_case(out, "tf1_builder", "TF1 graph-mode MLP (VariableV2 and resource variables, MatMul, Relu, "
               "Softmax) written by tf.compat.v1.saved_model.Builder",
               lambda d: save_tf1_builder(d, rng), [rng.normal(0, 1, (BATCH, 6)).astype(np.float32)], cases)

    if hasattr(tf.keras.Model, "export"):
        mlp = keras_exported_mlp()
        write_case(out, "keras_export", "Keras model (Embedding of int ids, Flatten, Concatenate, Dense relu, "
                   "Dense) written by Model.export", lambda d: mlp.export(d, verbose=False),
                   [rng.integers(0, 20, (BATCH, 4)).astype(np.int32), rng.normal(0, 1, (BATCH, 7)).astype(np.float32)],
                   cases)

    tiny_bundle(out)
    partitioned = os.path.join(out, "savedmodel_tf1_partitioned")
    shutil.rmtree(partitioned, ignore_errors=True)
    save_tf1_partitioned(os.path.join(partitioned, "model"))
    with open(os.path.join(out, "savedmodel-cases.json"), "w") as handle:
        json.dump(cases, handle, indent=1)
        handle.write("\n")
    print(f"wrote {len(cases)} SavedModel cases to {out}")


if __name__ == "__main__":
    main()
