"""Writers of the benchmark networks (tools/make_bench_models.py's ONNX models) in other frameworks' formats.

tools/make_format_bench_models.py reads each ONNX model into a framework-neutral layer list (network.py), then
runs one writer per format, each in the Python environment that has that framework:
tensorflow_writer.py (.venv-tensorflow), caffe_writer.py (.venv-caffe), bigdl_writer.py (.venv-bigdl + a JDK).
"""
