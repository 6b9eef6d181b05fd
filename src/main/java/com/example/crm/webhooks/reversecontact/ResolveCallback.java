package com.example.crm.webhooks.reversecontact;

import com.example.crm.webhooks.enrichment.EntityType;

/** A validated resolve callback: the entity named by the query string and its normalised LinkedIn URL. */
public record ResolveCallback(EntityType type, String entityId, String linkedinUrl) {
}
