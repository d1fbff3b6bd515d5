package io.ispasp.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

import io.ispasp.onnx.proto.OnnxProto.GraphProto;
import io.ispasp.onnx.proto.OnnxProto.ModelProto;
import io.ispasp.onnx.proto.OnnxProto.NodeProto;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Recognising the BERT-family encoder in an ONNX graph, and refusing what is not one with one line. */
class BertGraphTest {
    static ModelProto minilm;

    @BeforeAll
    static void read() throws IOException {
        if (Files.isRegularFile(OnnxFileTest.MINILM)) minilm = OnnxFile.read(OnnxFileTest.MINILM);
    }

    @Test
    void theRealMiniLmIsRecognisedWithItsPublishedShape() throws IOException {
        assumeTrue(minilm != null, "run datasets/fetch-minilm.sh to include the real model");
        BertGraph bert = BertGraph.recognise(minilm, "minilm.onnx");
        assertEquals(6, bert.layers());
        assertEquals(384, bert.hidden());
        assertEquals(12, bert.heads());
        assertEquals(32, bert.headSize());
        assertEquals(1536, bert.intermediate());
        assertEquals(30522, bert.vocab());
        assertEquals(512, bert.positions());
        assertEquals(2, bert.typeVocab());
        assertEquals(1e-12, bert.layerNormEps(), 1e-18);
        assertEquals(List.of("input_ids", "attention_mask", "token_type_ids"), bert.inputs());
        assertEquals("last_hidden_state", bert.output());
        assertEquals(5 + 6 * (6 * 2 + 2 * 2), bert.weights().size());
        assertEquals(List.of(1536L, 384L), bert.weights().get("encoder.layer.5.output.dense.weight").getDimsList());
        // every layer's six dense weights are six different initializers
        long distinct = bert.weights().entrySet().stream().filter(e -> e.getKey().endsWith("dense.weight") || e.getKey().contains("self."))
                .filter(e -> e.getKey().endsWith(".weight")).map(e -> e.getValue().getName()).distinct().count();
        assertEquals(36, distinct);
    }

    @Test
    void aGraphWithoutBertsEmbeddingsIsRefusedSayingWhatWasFound() {
        IOException e = assertThrows(IOException.class, () -> BertGraph.recognise(OnnxFileTest.tinyLinear(1), "tiny.onnx"));
        assertTrue(e.getMessage().startsWith("tiny.onnx is not a BERT-family encoder"), e.getMessage());
        assertTrue(e.getMessage().contains("{Add=1, MatMul=1}"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void aLayerMissingItsFfnOutputOrUsingAnotherGeluIsRefusedNamingIt() {
        assumeTrue(minilm != null, "run datasets/fetch-minilm.sh to include the real model");
        GraphProto g = minilm.getGraph();
        GraphProto.Builder noBias = g.toBuilder().clearInitializer();
        g.getInitializerList().stream().filter(t -> !t.getName().equals("encoder.layer.2.output.dense.bias")).forEach(noBias::addInitializer);
        IOException e = assertThrows(IOException.class,
                () -> BertGraph.recognise(minilm.toBuilder().setGraph(noBias).build(), "cut.onnx"));
        assertTrue(e.getMessage().contains("encoder.layer.2.output.dense"), e.getMessage());

        GraphProto.Builder tanh = g.toBuilder().clearNode();
        for (NodeProto n : g.getNodeList()) tanh.addNode(n.getOpType().equals("Erf") ? n.toBuilder().setOpType("Tanh").build() : n);
        e = assertThrows(IOException.class, () -> BertGraph.recognise(minilm.toBuilder().setGraph(tanh).build(), "tanh.onnx"));
        assertTrue(e.getMessage().contains("0 Erf nodes for 6 layers"), e.getMessage());
    }
}
