package com.example.crm.webhooks.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.crm.webhooks.support.TestInfrastructure;
import com.example.crm.webhooks.support.WebhookServiceTest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.aws2.s3.AWS2S3Constants;
import org.junit.jupiter.api.Test;

/** camel-aws2-s3, configured as for R2, stores an object in the S3 server and reads it back. */
class R2StorageRoundTripTest extends WebhookServiceTest {

    @Test
    void putsAndGetsAnObjectWithItsContentType() {
        ProducerTemplate producer = camelContext.createProducerTemplate();
        byte[] logo = "not really a png".getBytes(StandardCharsets.UTF_8);
        String bucket = "aws2-s3://" + TestInfrastructure.BUCKET;

        producer.sendBodyAndHeaders(bucket, logo, Map.of(
                AWS2S3Constants.KEY, "companies/c-1/logo.png",
                AWS2S3Constants.CONTENT_TYPE, "image/png",
                AWS2S3Constants.CONTENT_LENGTH, (long) logo.length));

        Exchange read = producer.request(bucket + "?operation=getObject", exchange ->
                exchange.getMessage().setHeader(AWS2S3Constants.KEY, "companies/c-1/logo.png"));

        assertThat(read.getException()).isNull();
        assertThat(read.getMessage().getBody(byte[].class)).isEqualTo(logo);
        assertThat(read.getMessage().getHeader(AWS2S3Constants.CONTENT_TYPE)).isEqualTo("image/png");
    }
}
