package com.example.crm.webhooks.intake;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The MAC (HMAC-SHA256) every document of the intake spool carries, under a key only the service
 * holds, so the drain applies only what this service wrote: anyone who can write to the bucket or
 * the spool directory cannot make it apply a webhook. The key is INTAKE_SPOOL_KEY when set (every
 * instance sharing a bucket needs the same one); otherwise a random key made once and kept in the
 * database (table {@code intake_spool_key}), which every instance sharing the bucket shares too.
 * Read at start-up, after Flyway, which needs the database at start-up anyway.
 */
@Component
public class SpoolDocumentMac {

    private static final String ALGORITHM = "HmacSHA256";
    /** 256 bits, the size of HMAC-SHA256's output. */
    private static final int GENERATED_KEY_BYTES = 32;

    private final SecretKeySpec key;

    @Autowired
    public SpoolDocumentMac(@Value("${intake.spool-key:}") String configuredKey, NamedParameterJdbcTemplate jdbc) {
        this(configuredKey.isEmpty() ? keptKey(jdbc) : configuredKey.getBytes(StandardCharsets.UTF_8));
    }

    private SpoolDocumentMac(byte[] key) {
        this.key = new SecretKeySpec(key, ALGORITHM);
    }

    /** The MAC under a configured key (INTAKE_SPOOL_KEY), as a service started with that key computes it. */
    public static SpoolDocumentMac withKey(String configuredKey) {
        return new SpoolDocumentMac(configuredKey.getBytes(StandardCharsets.UTF_8));
    }

    /** The MAC of a document's canonical bytes. */
    public byte[] of(byte[] canonical) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(canonical);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    /** Whether {@code mac} is the MAC of {@code canonical}, compared in constant time. */
    public boolean verifies(byte[] canonical, byte[] mac) {
        return mac != null && MessageDigest.isEqual(of(canonical), mac);
    }

    /** The database's key, made by whichever instance asks first (the others read that one). */
    private static byte[] keptKey(NamedParameterJdbcTemplate jdbc) {
        byte[] candidate = new byte[GENERATED_KEY_BYTES];
        new SecureRandom().nextBytes(candidate);
        jdbc.update("insert into intake_spool_key (id, mac_key) values ('intake-spool', :key) on conflict (id) do nothing",
                Map.of("key", candidate));
        return jdbc.queryForObject("select mac_key from intake_spool_key where id = 'intake-spool'", Map.of(), byte[].class);
    }
}
