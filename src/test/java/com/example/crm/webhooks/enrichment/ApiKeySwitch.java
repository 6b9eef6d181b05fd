package com.example.crm.webhooks.enrichment;

/**
 * Turns the Reverse Contact key off for the length of a test, in the one shared application: with
 * no key the enrichment route claims nothing, so jobs stay exactly as a test left them.
 * Close it (try-with-resources or @AfterEach) to restore the key.
 */
public final class ApiKeySwitch implements AutoCloseable {

    private final ReverseContactApi api;
    private final String key;

    private ApiKeySwitch(ReverseContactApi api) {
        this.api = api;
        this.key = api.apiKey();
    }

    public static ApiKeySwitch off(ReverseContactApi api) {
        ApiKeySwitch keySwitch = new ApiKeySwitch(api);
        api.setApiKeyForTests(null);
        return keySwitch;
    }

    @Override
    public void close() {
        api.setApiKeyForTests(key);
    }
}
