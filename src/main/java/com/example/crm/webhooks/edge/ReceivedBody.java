package com.example.crm.webhooks.edge;

/**
 * A webhook request's body as the public port received it before the route ran ({@link BodyReader}):
 * the bytes, or why there are none. {@link WebhookRequests} turns the latter into 413 and 408.
 *
 * @param outcome how reading the body ended
 * @param bytes   the whole body when {@link Outcome#COMPLETE}, else empty
 */
public record ReceivedBody(Outcome outcome, byte[] bytes) {

    public enum Outcome {
        /** Arrived in full, within the size limit and the body timeout. */
        COMPLETE,
        /** Passed the size limit (a chunked body, or one longer than its Content-Length said): reading stopped there. */
        TOO_LARGE,
        /** Not in full within the body timeout. */
        TIMED_OUT
    }

    public static ReceivedBody complete(byte[] bytes) {
        return new ReceivedBody(Outcome.COMPLETE, bytes);
    }

    public static ReceivedBody failed(Outcome outcome) {
        return new ReceivedBody(outcome, new byte[0]);
    }
}
