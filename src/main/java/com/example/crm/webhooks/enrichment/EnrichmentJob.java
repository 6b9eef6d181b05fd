package com.example.crm.webhooks.enrichment;

/**
 * A claimed row of {@code enrichment_jobs}: which entity to enrich from which LinkedIn URL, and how
 * many attempts (this one included) it has had. The enrichment route carries it in the exchange
 * property {@link #PROPERTY}, so no header of the HTTP calls can alter it.
 */
public record EnrichmentJob(String id, EntityType type, String entityId, String linkedinUrl, int attempts) {

    public static final String PROPERTY = "enrichmentJob";
}
