package com.example.crm.webhooks.reversecontact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flipkart.zjsonpatch.DiffFlags;
import com.flipkart.zjsonpatch.JsonDiff;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The difference between two profile snapshots as an RFC 6902 JSON Patch (zjsonpatch), and the
 * top-level fields it touches.
 *
 * <p>zjsonpatch diffs arrays by longest common subsequence, so a new {@code experience} entry is
 * one {@code add} at its index and a changed entry is a {@code replace} inside it, not the whole
 * array replaced. Its default flags also fold a remove plus an add of an equal value into
 * {@code move} or {@code copy} operations; those are left out here: they name a second location
 * ({@code from}) that a reader of "what changed" would miss, and every operation then carries
 * exactly the field it changes in its {@code path}. Removes carry no value, as in RFC 6902.
 *
 * <p>The cost is bounded: the longest common subsequence of two arrays takes time in the product of
 * their lengths (two 100,000-element {@code skills} lists took 42 s of a core). A top-level field
 * holding an array longer than {@code maxArrayLength}, at any depth, is not diffed element by
 * element: it is one whole-value {@code replace} (or {@code add}, {@code remove}) marked
 * {@code "wholeValue": true}, a member RFC 6902 readers ignore.
 */
public record ProfileDiff(JsonNode patch, List<String> changedFields) {

    private static final EnumSet<DiffFlags> FLAGS = EnumSet.of(
            DiffFlags.OMIT_VALUE_ON_REMOVE, DiffFlags.OMIT_MOVE_OPERATION, DiffFlags.OMIT_COPY_OPERATION);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** No change: an alert without {@code data.person}. */
    public static ProfileDiff none() {
        return new ProfileDiff(NODES.arrayNode(), List.of());
    }

    /** The patch turning {@code previous} into {@code current}, arrays of any length diffed element by element. */
    public static ProfileDiff between(JsonNode previous, JsonNode current) {
        return between(previous, current, Integer.MAX_VALUE);
    }

    /** The patch turning {@code previous} into {@code current}; fields with arrays past {@code maxArrayLength} replaced whole. */
    public static ProfileDiff between(JsonNode previous, JsonNode current, int maxArrayLength) {
        ArrayNode whole = NODES.arrayNode();
        JsonNode diffable = previous;
        JsonNode diffableCurrent = current;
        if (previous.isObject() && current.isObject()) {
            ObjectNode before = ((ObjectNode) previous).deepCopy();
            ObjectNode after = ((ObjectNode) current).deepCopy();
            Set<String> fields = new TreeSet<>();
            previous.fieldNames().forEachRemaining(fields::add);
            current.fieldNames().forEachRemaining(fields::add);
            for (String field : fields) {
                JsonNode was = previous.get(field);
                JsonNode is = current.get(field);
                if (!hasArrayLongerThan(was, maxArrayLength) && !hasArrayLongerThan(is, maxArrayLength)) {
                    continue;
                }
                before.remove(field);
                after.remove(field);
                if (was != null && was.equals(is)) {
                    continue;
                }
                ObjectNode operation = whole.addObject()
                        .put("op", was == null ? "add" : is == null ? "remove" : "replace")
                        .put("path", "/" + field.replace("~", "~0").replace("/", "~1"));
                if (is != null) {
                    operation.set("value", is);
                }
                operation.put("wholeValue", true);
            }
            diffable = before;
            diffableCurrent = after;
        }
        ArrayNode patch = (ArrayNode) JsonDiff.asJson(diffable, diffableCurrent, FLAGS);
        patch.addAll(whole);
        return new ProfileDiff(patch, changedFields(patch));
    }

    /** Whether {@code node} is or holds, at any depth, an array of more than {@code limit} elements. */
    static boolean hasArrayLongerThan(JsonNode node, int limit) {
        if (node == null || !node.isContainerNode()) {
            return false;
        }
        if (node.isArray() && node.size() > limit) {
            return true;
        }
        for (Iterator<JsonNode> children = node.elements(); children.hasNext(); ) {
            if (hasArrayLongerThan(children.next(), limit)) {
                return true;
            }
        }
        return false;
    }

    /**
     * First segment of each operation's path, unescaped (RFC 6901: ~1 is "/", ~0 is "~"), once
     * each, sorted: a set of names, in an order that does not depend on how the snapshot was stored.
     */
    static List<String> changedFields(JsonNode patch) {
        Set<String> fields = new TreeSet<>();
        for (JsonNode operation : patch) {
            String path = operation.path("path").asText();
            if (path.isEmpty()) {
                continue; // the whole document: cannot happen between two objects
            }
            int end = path.indexOf('/', 1);
            String segment = end < 0 ? path.substring(1) : path.substring(1, end);
            fields.add(segment.replace("~1", "/").replace("~0", "~"));
        }
        return new ArrayList<>(fields);
    }
}
