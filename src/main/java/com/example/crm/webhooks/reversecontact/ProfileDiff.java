package com.example.crm.webhooks.reversecontact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.flipkart.zjsonpatch.DiffFlags;
import com.flipkart.zjsonpatch.JsonDiff;
import java.util.ArrayList;
import java.util.EnumSet;
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
 */
public record ProfileDiff(JsonNode patch, List<String> changedFields) {

    private static final EnumSet<DiffFlags> FLAGS = EnumSet.of(
            DiffFlags.OMIT_VALUE_ON_REMOVE, DiffFlags.OMIT_MOVE_OPERATION, DiffFlags.OMIT_COPY_OPERATION);

    /** No change: an alert without {@code data.person}. */
    public static ProfileDiff none() {
        return new ProfileDiff(JsonNodeFactory.instance.arrayNode(), List.of());
    }

    /** The patch turning {@code previous} into {@code current}. */
    public static ProfileDiff between(JsonNode previous, JsonNode current) {
        JsonNode patch = JsonDiff.asJson(previous, current, FLAGS);
        return new ProfileDiff(patch, changedFields(patch));
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
