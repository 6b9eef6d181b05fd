package com.example.crm.webhooks.operations;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.lang.Nullable;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/deadletters} on the management port (HTTP Basic, see {@link ManagementSecurity}):
 * GET lists dead letters newest first ({@code limit}, default 50, at most 500; {@code offset};
 * {@code includeReplayed}); POST {@code {"id": "..."}} replays one, POST without an id replays all
 * open ones. Replays are idempotent and recorded in {@code replayed_at}.
 */
@Component
@Endpoint(id = "deadletters")
public class DeadLettersEndpoint {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;

    private final DeadLetterReplay deadLetters;

    public DeadLettersEndpoint(DeadLetterReplay deadLetters) {
        this.deadLetters = deadLetters;
    }

    @ReadOperation
    public Map<String, Object> list(@Nullable Integer limit, @Nullable Integer offset, @Nullable Boolean includeReplayed) {
        int pageSize = limit == null ? DEFAULT_LIMIT : Math.max(1, Math.min(limit, MAX_LIMIT));
        int skip = offset == null ? 0 : Math.max(0, offset);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("open", deadLetters.countOpen());
        answer.put("limit", pageSize);
        answer.put("offset", skip);
        answer.put("deadLetters", deadLetters.list(pageSize, skip, Boolean.TRUE.equals(includeReplayed)));
        return answer;
    }

    @WriteOperation
    public Map<String, Object> replay(@Nullable String id) {
        List<String> replayed = id == null || id.isBlank() ? deadLetters.replayAll() : deadLetters.replay(id);
        return Map.of("replayed", replayed.size(), "ids", replayed);
    }
}
