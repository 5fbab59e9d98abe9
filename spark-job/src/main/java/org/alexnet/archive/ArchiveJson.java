package org.alexnet.archive;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;

/**
 * The archives' JSON (model files, checkpoint pointers; Jackson, records bound by their components). Reading is defensive because
 * archives come from elsewhere: nesting deeper than {@link #MAX_DEPTH} is refused by a streaming
 * pass before any binding (a deeply nested document would otherwise exhaust the stack), fields
 * this version does not know are ignored (additions within a format version), missing
 * primitives are errors.
 */
public final class ArchiveJson {
    static final int MAX_DEPTH = 32;

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private ArchiveJson() {
    }

    /** The value as indented JSON. */
    public static byte[] write(Object value) throws IOException {
        return MAPPER.writeValueAsBytes(value);
    }

    /** Reads JSON that came from elsewhere into a record; {@code what} names it in messages. */
    public static <T> T read(byte[] json, Class<T> type, String what) throws IOException {
        return MAPPER.treeToValue(tree(json, what), type);
    }

    /** The document as a tree, after checking its nesting depth. */
    static JsonNode tree(byte[] json, String what) throws IOException {
        try (JsonParser p = MAPPER.getFactory().createParser(json)) {
            int depth = 0;
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t.isStructStart() && ++depth > MAX_DEPTH) {
                    throw new IOException(what + " nests deeper than " + MAX_DEPTH + " levels");
                }
                if (t.isStructEnd()) {
                    depth--;
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(what + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        JsonNode node = MAPPER.readTree(json);
        if (node == null || node.isMissingNode()) {
            throw new IOException(what + " is empty");
        }
        return node;
    }
}
