"""The Java program bigdl_writer.py compiles and runs against BigDL's jars (kept here as text so that the
benchmark tools stay in one Python package).

BigDLBenchNetwork <spec_dir> <out_dir>: reads <spec_dir>/layers.txt (one layer a line: op, name, output, input
count, inputs, key=value attributes) and the weights <spec_dir>/weights/<key>.f32 (raw little-endian float32,
ONNX layouts), builds a BigDL Graph of the modules a BigDL user writes (SpatialConvolution with nGroup,
SpatialBatchNormalization, ReLU6, ReLU, SpatialMaxPooling, CAddTable, global SpatialAveragePooling,
View(C).setNumInputDims(3), Linear), saves it with saveModule to <out_dir>/model.model, reloads that file and
writes its forward output on <spec_dir>/check_input.f32 (shape in check_shape.txt) to <spec_dir>/check_output.f32.
SpatialConvolution's weight [nGroup, out/nGroup, in/nGroup, kH, kW] has ONNX's OIHW element order, and
Linear's [out, in] is ONNX Gemm's (transB = 1), so weights are copied element for element.
"""

CLASS_NAME = "BigDLBenchNetwork"

SOURCE = r"""
import com.intel.analytics.bigdl.dllib.nn.*;
import com.intel.analytics.bigdl.dllib.nn.abstractnn.AbstractModule;
import com.intel.analytics.bigdl.dllib.nn.abstractnn.Activity;
import com.intel.analytics.bigdl.dllib.nn.abstractnn.DataFormat;
import com.intel.analytics.bigdl.dllib.nn.abstractnn.DataFormat$;
import com.intel.analytics.bigdl.dllib.tensor.*;
import com.intel.analytics.bigdl.dllib.utils.Node;
import java.nio.*;
import java.nio.file.*;
import java.util.*;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

@SuppressWarnings({"unchecked", "rawtypes"})
public class BigDLBenchNetwork {
    static final ClassTag CT = ClassTag$.MODULE$.Float();
    static final TensorNumericMath.TensorNumeric EV = TensorNumericMath$TensorNumeric$NumericFloat$.MODULE$;
    static final DataFormat NCHW = DataFormat$.MODULE$.apply("NCHW");
    static Path spec;

    public static void main(String[] args) throws Exception {
        spec = Paths.get(args[0]);
        Path out = Paths.get(args[1]);
        Map<String, Node> values = new HashMap<>();
        Map<String, Integer> channels = new HashMap<>();
        Node input = (Node) Input$.MODULE$.apply("input", CT, EV);
        values.put("input", input);
        channels.put("input", 3);
        String last = null;
        for (String line : Files.readAllLines(spec.resolve("layers.txt"))) {
            String[] f = line.trim().split(" ");
            String op = f[0], name = f[1], output = f[2];
            int count = Integer.parseInt(f[3]);
            Node[] inputs = new Node[count];
            for (int i = 0; i < count; i++) inputs[i] = values.get(f[4 + i]);
            Map<String, String> a = new HashMap<>();
            for (int i = 4 + count; i < f.length; i++) a.put(f[i].split("=")[0], f[i].split("=", 2)[1]);
            int c = channels.get(f[4]);
            AbstractModule m;
            switch (op) {
                case "conv": {
                    int k = i(a, "kernel"), s = i(a, "stride"), p = i(a, "pad"), cout = i(a, "cout");
                    boolean bias = a.containsKey("bias");
                    m = SpatialConvolution$.MODULE$.apply(c, cout, k, k, s, s, p, p, i(a, "group"), true, null, null,
                            null, null, null, null, bias, NCHW, CT, EV);
                    load(((SpatialConvolution) m).weight(), a.get("weight"));
                    if (bias) load(((SpatialConvolution) m).bias(), a.get("bias"));
                    c = cout;
                    break;
                }
                case "batchnorm": {
                    SpatialBatchNormalization bn = SpatialBatchNormalization$.MODULE$.apply(c,
                            Double.parseDouble(a.get("epsilon")), 0.1, true, null, null, null, null, NCHW, CT, EV);
                    load(bn.weight(), a.get("scale"));
                    load(bn.bias(), a.get("offset"));
                    load(bn.runningMean(), a.get("mean"));
                    load(bn.runningVar(), a.get("var"));
                    m = bn;
                    break;
                }
                case "relu6": m = ReLU6$.MODULE$.apply(false, CT, EV); break;
                case "relu": m = ReLU$.MODULE$.apply(false, CT, EV); break;
                case "maxpool": {
                    int k = i(a, "kernel"), s = i(a, "stride"), p = i(a, "pad");
                    m = SpatialMaxPooling$.MODULE$.apply(k, k, s, s, p, p, NCHW, CT, EV);
                    break;
                }
                case "add": m = CAddTable$.MODULE$.apply(false, CT, EV); break;
                case "global_avgpool":
                    m = SpatialAveragePooling$.MODULE$.apply(1, 1, 1, 1, 0, 0, true, false, true, true, NCHW, CT, EV);
                    break;
                case "flatten": m = View$.MODULE$.apply(new int[]{c}, CT, EV).setNumInputDims(3); break;
                case "dense": {
                    int cout = i(a, "cout");
                    m = Linear$.MODULE$.apply(c, cout, true, null, null, null, null, null, null, CT, EV);
                    load(((Linear) m).weight(), a.get("weight"));
                    load(((Linear) m).bias(), a.get("bias"));
                    c = cout;
                    break;
                }
                default: throw new IllegalArgumentException("no BigDL module for " + op + " (" + name + ")");
            }
            m.setName(name);
            values.put(output, (Node) m.inputs(inputs));
            channels.put(output, c);
            last = output;
        }
        AbstractModule graph = Graph$.MODULE$.apply(new Node[]{input}, new Node[]{values.get(last)},
                scala.Option.apply(null), CT, EV);
        graph.evaluate();
        Files.createDirectories(out);
        Path file = out.resolve("model.model");
        graph.saveModule(file.toString(), null, true);
        Files.deleteIfExists(out.resolve(".model.model.crc"));

        AbstractModule reloaded = Module$.MODULE$.loadModule(file.toString(), null, CT, EV);
        reloaded.evaluate();
        String[] dims = new String(Files.readAllBytes(spec.resolve("check_shape.txt"))).trim().split(" ");
        int[] shape = new int[dims.length];
        for (int d = 0; d < dims.length; d++) shape[d] = Integer.parseInt(dims[d]);
        float[] x = read(spec.resolve("check_input.f32"));
        Tensor y = ((Tensor) reloaded.forward((Activity) Tensor$.MODULE$.apply(x, shape, CT, EV))).contiguous();
        float[] result = new float[y.nElement()];
        System.arraycopy((float[]) y.storage().array(), y.storageOffset() - 1, result, 0, result.length);
        ByteBuffer buffer = ByteBuffer.allocate(result.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : result) buffer.putFloat(v);
        Files.write(spec.resolve("check_output.f32"), buffer.array());
    }

    static int i(Map<String, String> a, String key) { return Integer.parseInt(a.get(key)); }

    static float[] read(Path path) throws Exception {
        FloatBuffer floats = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] values = new float[floats.remaining()];
        floats.get(values);
        return values;
    }

    /** Copies a weight file into a module's tensor, which must have exactly as many elements. */
    static void load(Tensor target, String key) throws Exception {
        float[] values = read(spec.resolve("weights").resolve(key + ".f32"));
        if (values.length != target.nElement())
            throw new IllegalArgumentException(key + ": " + values.length + " values for " + target.nElement());
        target.copy(Tensor$.MODULE$.apply(values, target.size(), CT, EV));
    }
}
"""
