package org.alexnet.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.alexnet.archive.FilePublisher;
import org.apache.commons.io.output.CountingOutputStream;

/**
 * The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length N, N bytes of UTF-8 JSON ({@code "__metadata__"}: a string-to-string map, then
 * per tensor {@code {"dtype", "shape", "data_offsets": [begin, end]}}, offsets relative to the
 * byte buffer after the header), padded with spaces to a multiple of 8 so every tensor is
 * aligned, then the tensors' raw little-endian data back to back in header order.
 */
public final class SafetensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One tensor.
     *
     * @param dtype safetensors' type name (F32, F64)
     * @param bytes the data's length, which must equal the shape's element count times the type's width
     * @param data  writes exactly {@code bytes} bytes
     */
    public record Tensor(String name, String dtype, long[] shape, long bytes, FilePublisher.Content data) {
    }

    private SafetensorsWriter() {
    }

    /** Writes the tensors, in order, with the metadata. */
    public static void write(List<Tensor> tensors, Map<String, String> metadata, OutputStream out) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("__metadata__", metadata);
        long offset = 0;
        for (Tensor t : tensors) {
            long elements = 1;
            for (long d : t.shape()) {
                elements *= d;
            }
            if (elements * width(t.dtype()) != t.bytes()) {
                throw new IllegalArgumentException(t.name() + ": " + t.bytes() + " bytes for shape "
                        + java.util.Arrays.toString(t.shape()) + " of " + t.dtype());
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", t.dtype());
            entry.put("shape", t.shape());
            entry.put("data_offsets", new long[] {offset, offset + t.bytes()});
            header.put(t.name(), entry);
            offset += t.bytes();
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        out.write(ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
        out.write(json);
        out.write(" ".repeat(padded - json.length).getBytes(StandardCharsets.US_ASCII));
        for (Tensor t : tensors) {
            CountingOutputStream counted = new CountingOutputStream(out);
            t.data().writeTo(counted);
            if (counted.getByteCount() != t.bytes()) {
                throw new IOException(t.name() + " wrote " + counted.getByteCount() + " bytes, expected " + t.bytes());
            }
        }
    }

    private static int width(String dtype) {
        return switch (dtype) {
            case "F32" -> 4;
            case "F64" -> 8;
            default -> throw new IllegalArgumentException("unsupported dtype " + dtype);
        };
    }
}
