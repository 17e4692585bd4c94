// Builds small BigDL networks with BigDL's own API (dllib 2.4.0), saves each with saveModule (the protobuf
// format the BigDL reader loads) and writes BigDL's forward outputs for fixed inputs as raw little-endian
// float32 files plus a JSON of shapes. tools/make_bigdl_fixtures.py compiles and runs this and turns its output
// into .npy files and a manifest.
import com.intel.analytics.bigdl.dllib.nn.*;
import com.intel.analytics.bigdl.dllib.nn.abstractnn.AbstractModule;
import com.intel.analytics.bigdl.dllib.nn.abstractnn.DataFormat;
import com.intel.analytics.bigdl.dllib.nn.abstractnn.DataFormat$;
import com.intel.analytics.bigdl.dllib.nn.abstractnn.Activity;
import com.intel.analytics.bigdl.dllib.tensor.*;
import com.intel.analytics.bigdl.dllib.utils.RandomGenerator$;
import com.intel.analytics.bigdl.dllib.utils.Table;
import java.io.*;
import java.nio.*;
import java.nio.file.*;
import java.util.*;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

@SuppressWarnings({"unchecked", "rawtypes"})
public class MakeBigDLFixtures {
    static final ClassTag CT = ClassTag$.MODULE$.Float();
    static final TensorNumericMath.TensorNumeric EV = TensorNumericMath$TensorNumeric$NumericFloat$.MODULE$;
    static final DataFormat NCHW = DataFormat$.MODULE$.apply("NCHW");
    static final DataFormat NHWC = DataFormat$.MODULE$.apply("NHWC");
    static Random random = new Random(7);
    static Path out;

    public static void main(String[] args) throws Exception {
        out = Paths.get(args[0]);
        RandomGenerator$.MODULE$.RNG().setSeed(11);
        mlp();
        cnn();
        branches();
        groupedConvAveragePool();
        lookupTable();
        fullConvolution();
        misc();
        tableEdges();
        refusals();
    }

    // MARK: Networks

    static void mlp() throws Exception {
        Sequential s = Sequential$.MODULE$.apply(CT, EV);
        s.add(linear(20, 32)).add(ReLU$.MODULE$.apply(false, CT, EV));
        s.add(Dropout$.MODULE$.apply(0.3, false, true, CT, EV));
        s.add(linear(32, 10)).add(SoftMax$.MODULE$.apply(CT, EV));
        save("mlp", s, new int[][]{{16, 20}}, null, "Linear, ReLU, Dropout, Linear, SoftMax");
    }

    static void cnn() throws Exception {
        Sequential s = Sequential$.MODULE$.apply(CT, EV);
        s.add(conv(3, 8, 3, 1, 1, 1, NCHW));
        SpatialBatchNormalization bn = SpatialBatchNormalization$.MODULE$.apply(8, 1e-5, 0.1, true,
            null, null, null, null, NCHW, CT, EV);
        randomizeBatchNorm(bn, 8);
        s.add(bn).add(ReLU$.MODULE$.apply(false, CT, EV));
        s.add(SpatialMaxPooling$.MODULE$.apply(2, 2, 2, 2, 0, 0, NCHW, CT, EV).ceil());
        s.add(View$.MODULE$.apply(new int[]{8 * 5 * 5}, CT, EV).setNumInputDims(3));
        s.add(linear(200, 10));
        save("cnn", s, new int[][]{{16, 3, 9, 9}}, null,
             "SpatialConvolution, SpatialBatchNormalization, ReLU, SpatialMaxPooling (ceil), View, Linear");
    }

    /** A Graph: two branches of one trunk, joined (JoinTable) into one output and added/multiplied into another. */
    static void branches() throws Exception {
        Object input = Input$.MODULE$.apply("features", CT, EV);
        Object trunk = node(ReLU$.MODULE$.apply(false, CT, EV), node(linear(12, 16), input));
        Object a = node(Tanh$.MODULE$.apply(CT, EV), node(linear(16, 8), trunk));
        Object b = node(Sigmoid$.MODULE$.apply(CT, EV), node(linear(16, 8), trunk));
        Object joined = node(linear(16, 4), node(JoinTable$.MODULE$.apply(2, 2, CT, EV), a, b));
        Object sum = node(CAddTable$.MODULE$.apply(false, CT, EV), a, b);
        Object product = node(CMulTable$.MODULE$.apply(CT, EV), sum, a);
        named(joined, "joined");
        named(product, "product");
        AbstractModule g = graph(new Object[]{input}, new Object[]{joined, product});
        save("branches", g, new int[][]{{16, 12}}, null,
             "Graph: Linear trunk, Tanh and Sigmoid branches, JoinTable + Linear, CAddTable, CMulTable");
    }

    static void groupedConvAveragePool() throws Exception {
        Sequential s = Sequential$.MODULE$.apply(CT, EV);
        s.add(SpatialConvolution$.MODULE$.apply(4, 8, 3, 3, 1, 1, -1, -1, 2, true, null, null, null, null, null, null,
                                                true, NCHW, CT, EV));
        s.add(ReLU6$.MODULE$.apply(false, CT, EV));
        s.add(SpatialAveragePooling$.MODULE$.apply(3, 3, 2, 2, 1, 1, false, true, false, true, NCHW, CT, EV));
        s.add(conv(8, 6, 1, 1, 0, 1, NCHW));
        s.add(LeakyReLU$.MODULE$.apply(0.1, false, CT, EV));
        s.add(SpatialAveragePooling$.MODULE$.apply(2, 2, 1, 1, 0, 0, true, false, true, true, NCHW, CT, EV));
        s.add(Reshape$.MODULE$.apply(new int[]{6}, scala.Option.apply(null), CT, EV));
        s.add(LogSoftMax$.MODULE$.apply(CT, EV));
        save("grouped_conv_avgpool", s, new int[][]{{16, 4, 8, 8}}, null,
             "grouped SAME SpatialConvolution, ReLU6, SpatialAveragePooling (ceil, count excluding pad), "
             + "1x1 conv, LeakyReLU, global SpatialAveragePooling, Reshape, LogSoftMax");
    }

    static void lookupTable() throws Exception {
        Object input = Input$.MODULE$.apply("ids", CT, EV);
        Object embedded = node(LookupTable$.MODULE$.apply(10, 6, 0.0, Double.MAX_VALUE, 2.0, false, null, false, CT, EV),
                               input);
        Object mean = node(Tanh$.MODULE$.apply(CT, EV), node(linear(6, 3), node(Mean$.MODULE$.apply(2, -1, true, CT, EV),
                                                                                 embedded)));
        Object sum = node(Normalize$.MODULE$.apply(2.0, 1e-10, CT, EV),
                          node(Sum$.MODULE$.apply(2, -1, false, true, CT, EV), embedded));
        named(mean, "mean");
        named(sum, "sum");
        AbstractModule g = graph(new Object[]{input}, new Object[]{mean, sum});
        float[] ids = new float[16 * 5];
        for (int i = 0; i < ids.length; i++) ids[i] = 1 + random.nextInt(10);
        save("lookup_table", g, new int[][]{{16, 5}}, new float[][]{ids},
             "LookupTable (1-based ids), Mean + Linear + Tanh, Sum + Normalize");
    }

    static void fullConvolution() throws Exception {
        Sequential s = Sequential$.MODULE$.apply(CT, EV);
        s.add(SpatialFullConvolution$.MODULE$.apply(4, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, false, null, null, CT, EV));
        s.add(Sigmoid$.MODULE$.apply(CT, EV));
        s.add(SpatialFullConvolution$.MODULE$.apply(6, 4, 3, 3, 1, 1, 1, 1, 0, 0, 2, false, null, null, CT, EV));
        save("full_convolution", s, new int[][]{{16, 4, 5, 5}}, null,
             "SpatialFullConvolution (stride 2, adj 1), Sigmoid, grouped SpatialFullConvolution");
    }

    static void misc() throws Exception {
        Sequential s = Sequential$.MODULE$.apply(CT, EV);
        s.add(SpatialZeroPadding$.MODULE$.apply(1, 1, 2, 0, CT, EV));
        s.add(SpatialDilatedConvolution$.MODULE$.apply(3, 4, 3, 3, 1, 1, 1, 1, 2, 2, null, null, CT, EV));
        s.add(ELU$.MODULE$.apply(0.7, false, CT, EV));
        s.add(Transpose$.MODULE$.apply(new scala.Tuple2[]{new scala.Tuple2(2, 3), new scala.Tuple2(3, 4)}, CT, EV));
        s.add(conv(4, 5, 1, 1, 0, 1, NHWC));
        s.add(Transpose$.MODULE$.apply(new scala.Tuple2[]{new scala.Tuple2(3, 4), new scala.Tuple2(2, 3)}, CT, EV));
        s.add(SpatialMaxPooling$.MODULE$.apply(3, 3, 2, 2, -1, -1, NCHW, CT, EV));
        s.add(Sum$.MODULE$.apply(4, -1, false, true, CT, EV));
        s.add(Unsqueeze$.MODULE$.apply(2, Integer.MIN_VALUE, CT, EV));
        s.add(Squeeze$.MODULE$.apply(new int[]{1}, true, CT, EV));
        s.add(SplitTable$.MODULE$.apply(2, -1, false, false, CT, EV));
        s.add(CAddTable$.MODULE$.apply(false, CT, EV));
        s.add(Identity$.MODULE$.apply(CT, EV));
        BatchNormalization bn = BatchNormalization$.MODULE$.apply(4, 1e-3, 0.1, true, null, null, null, null, CT, EV);
        randomizeBatchNorm(bn, 4);
        s.add(bn);
        save("misc", s, new int[][]{{16, 3, 8, 8}}, null,
             "SpatialZeroPadding, SpatialDilatedConvolution, ELU, Transpose, NHWC SpatialConvolution, "
             + "SAME SpatialMaxPooling, Sum, Unsqueeze, Squeeze, SplitTable, CAddTable, Identity, BatchNormalization");
    }

    /** A Graph whose modules read single elements of a table output (edges with a 1-based index). */
    static void tableEdges() throws Exception {
        Object input = Input$.MODULE$.apply("input", CT, EV);
        Object reshaped = node(Reshape$.MODULE$.apply(new int[]{2, 3}, scala.Option.apply(null), CT, EV),
                               node(linear(5, 6), input));
        Object split = node(SplitTable$.MODULE$.apply(2, -1, false, true, CT, EV), reshaped);
        Object first = element(ReLU$.MODULE$.apply(false, CT, EV), split, 2);
        Object second = element(Tanh$.MODULE$.apply(CT, EV), split, 1);
        Object joined = node(JoinTable$.MODULE$.apply(1, 1, CT, EV), first, second);
        named(joined, "joined");
        AbstractModule g = graph(new Object[]{input}, new Object[]{joined});
        save("table_edges", g, new int[][]{{16, 5}}, null,
             "Graph: Linear, Reshape, SplitTable, modules reading elements 2 and 1 of its table, JoinTable");
    }

    static Object element(AbstractModule module, Object table, int index) {
        scala.Tuple2 edge = new scala.Tuple2(table, index);
        return module.inputs(edge, scala.collection.immutable.Nil$.MODULE$);
    }

    /** Files the reader refuses: a Java-serialised Module.save file, and a saveModule file whose weights went
     *  to a separate weight file. */
    static void refusals() throws Exception {
        Path dir = out.resolve("refusals");
        Files.createDirectories(dir);
        Sequential s = Sequential$.MODULE$.apply(CT, EV);
        s.add(linear(4, 3));
        s.save(dir.resolve("java_serialised.model").toString(), true);
        s.saveModule(dir.resolve("weight_file.model").toString(), dir.resolve("weight_file.bin").toString(), true);
        try (DirectoryStream<Path> checksums = Files.newDirectoryStream(dir, ".*.crc")) {
            for (Path checksum : checksums) Files.delete(checksum);
        }
        System.out.println("wrote refusals");
    }

    // MARK: Helpers

    static AbstractModule linear(int in, int outSize) {
        return Linear$.MODULE$.apply(in, outSize, true, null, null, null, null, null, null, CT, EV);
    }

    static AbstractModule conv(int in, int outPlanes, int k, int stride, int pad, int groups, DataFormat format) {
        return SpatialConvolution$.MODULE$.apply(in, outPlanes, k, k, stride, stride, pad, pad, groups, true,
                                                 null, null, null, null, null, null, true,
                                                 format,
                                                 CT, EV);
    }

    static void randomizeBatchNorm(BatchNormalization bn, int n) {
        fill(bn.runningMean(), -0.5f, 0.5f);
        fill(bn.runningVar(), 0.5f, 1.5f);
        fill(bn.weight(), 0.5f, 1.5f);
        fill(bn.bias(), -0.5f, 0.5f);
    }

    static void fill(Tensor t, float lo, float hi) {
        float[] values = new float[t.nElement()];
        for (int i = 0; i < values.length; i++) values[i] = lo + (hi - lo) * random.nextFloat();
        t.copy(Tensor$.MODULE$.apply(values, t.size(), CT, EV));
    }

    static Object node(AbstractModule module, Object... inputs) {
        com.intel.analytics.bigdl.dllib.utils.Node[] nodes = new com.intel.analytics.bigdl.dllib.utils.Node[inputs.length];
        for (int i = 0; i < inputs.length; i++) nodes[i] = (com.intel.analytics.bigdl.dllib.utils.Node) inputs[i];
        return module.inputs(nodes);
    }

    static void named(Object node, String name) {
        ((AbstractModule) ((com.intel.analytics.bigdl.dllib.utils.Node) node).element()).setName(name);
    }

    static AbstractModule graph(Object[] inputs, Object[] outputs) {
        com.intel.analytics.bigdl.dllib.utils.Node[] in = Arrays.copyOf(inputs, inputs.length,
            com.intel.analytics.bigdl.dllib.utils.Node[].class);
        com.intel.analytics.bigdl.dllib.utils.Node[] o = Arrays.copyOf(outputs, outputs.length,
            com.intel.analytics.bigdl.dllib.utils.Node[].class);
        return Graph$.MODULE$.apply(in, o, scala.Option.apply(null), CT, EV);
    }

    /** Saves the module, runs it on random (or given) inputs in evaluation mode and writes inputs and outputs. */
    static void save(String name, AbstractModule module, int[][] shapes, float[][] given, String description)
            throws Exception {
        Path dir = out.resolve(name);
        Files.createDirectories(dir);
        module.evaluate();
        module.saveModule(dir.resolve("model.model").toString(), null, true);
        Files.deleteIfExists(dir.resolve(".model.model.crc"));
        Object input;
        StringBuilder json = new StringBuilder("{\"description\": \"" + description + "\", \"inputs\": [");
        Tensor[] inputs = new Tensor[shapes.length];
        for (int i = 0; i < shapes.length; i++) {
            int count = 1;
            for (int d : shapes[i]) count *= d;
            float[] values = given != null ? given[i] : new float[count];
            if (given == null) for (int j = 0; j < count; j++) values[j] = (float) random.nextGaussian();
            inputs[i] = Tensor$.MODULE$.apply(values, shapes[i], CT, EV);
            writeRaw(dir.resolve("input" + i + ".f32"), values);
            json.append(i > 0 ? ", " : "").append(Arrays.toString(shapes[i]));
        }
        input = inputs.length == 1 ? inputs[0] : com.intel.analytics.bigdl.dllib.utils.T$.MODULE$.array(inputs);
        // The reference is the reloaded file's output (what BigDL serves from this file); it is checked
        // against the module as built, since saveModule does not keep every setting (View's numInputDims).
        AbstractModule reloaded = Module$.MODULE$.loadModule(dir.resolve("model.model").toString(), null, CT, EV);
        reloaded.evaluate();
        List<Tensor> built = activityTensors(module.forward((Activity) input));
        List<Tensor> outputs = activityTensors(reloaded.forward((Activity) input));
        for (int i = 0; i < outputs.size(); i++) {
            float difference = maxDifference(built.get(i), outputs.get(i));
            if (difference > 1e-6f) System.out.println(name + ": output " + i + " of the reloaded model differs by " + difference);
        }
        json.append("], \"outputs\": [");
        for (int i = 0; i < outputs.size(); i++) {
            Tensor t = outputs.get(i).contiguous();
            float[] values = new float[t.nElement()];
            float[] storage = (float[]) t.storage().array();
            System.arraycopy(storage, t.storageOffset() - 1, values, 0, values.length);
            writeRaw(dir.resolve("output" + i + ".f32"), values);
            json.append(i > 0 ? ", " : "").append(Arrays.toString(t.size()));
        }
        json.append("]}");
        Files.write(dir.resolve("shapes.json"), json.toString().getBytes("UTF-8"));
        System.out.println("wrote " + name);
    }

    static List<Tensor> activityTensors(Object result) {
        List<Tensor> outputs = new ArrayList<>();
        if (result instanceof Tensor) {
            outputs.add((Tensor) result);
        } else {
            Table table = (Table) result;
            for (int i = 1; i <= table.length(); i++) outputs.add(((Tensor) table.apply(i)).clone());
        }
        if (outputs.size() == 1) outputs.set(0, outputs.get(0).clone());
        return outputs;
    }

    static float maxDifference(Tensor a, Tensor b) {
        if (!Arrays.equals(a.size(), b.size())) return Float.POSITIVE_INFINITY;
        float[] x = (float[]) a.contiguous().storage().array(), y = (float[]) b.contiguous().storage().array();
        int ox = a.contiguous().storageOffset() - 1, oy = b.contiguous().storageOffset() - 1;
        float worst = 0;
        for (int i = 0; i < a.nElement(); i++) worst = Math.max(worst, Math.abs(x[ox + i] - y[oy + i]));
        return worst;
    }

    static void writeRaw(Path path, float[] values) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) buffer.putFloat(v);
        Files.write(path, buffer.array());
    }
}
