package com.example.crm.webhooks.enrichment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.crm.webhooks.support.TestInfrastructure;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * The migration to one open enrichment job per entity, on a database that has several (queued
 * before it, one per URL): the job for the entity's current URL stays open (else the newest), the
 * others finish as superseded, and from then on a second open job for an entity is refused.
 */
class OneOpenJobPerEntityMigrationTest {

    private SingleConnectionDataSource dataSource;

    @AfterEach
    void close() {
        if (dataSource != null) {
            dataSource.destroy();
        }
    }

    @Test
    void keepsOneOpenJobPerEntityForItsCurrentUrl() {
        String jdbcUrl = TestInfrastructure.newDatabase("one_open_job_migration");
        flyway(jdbcUrl).target("5").load().migrate();
        dataSource = new SingleConnectionDataSource(jdbcUrl, "postgres", "", true);
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        jdbc.update("""
                insert into people (id, linkedin_url) values ('p-1', 'https://www.linkedin.com/in/b'), ('p-2', null)""");
        jdbc.update("""
                insert into enrichment_jobs (id, entity_type, entity_id, linkedin_url, state, created_at) values
                  ('p1-a', 'person', 'p-1', 'https://www.linkedin.com/in/a', 'pending', now() - interval '3 hours'),
                  ('p1-b', 'person', 'p-1', 'https://www.linkedin.com/in/b', 'running', now() - interval '2 hours'),
                  ('p1-c', 'person', 'p-1', 'https://www.linkedin.com/in/c', 'pending', now() - interval '1 hour'),
                  ('p1-old', 'person', 'p-1', 'https://www.linkedin.com/in/a', 'done', now() - interval '1 day'),
                  ('p2-x', 'person', 'p-2', 'https://www.linkedin.com/in/x', 'pending', now() - interval '2 hours'),
                  ('p2-y', 'person', 'p-2', 'https://www.linkedin.com/in/y', 'pending', now() - interval '1 hour'),
                  ('co-1', 'company', 'p-1', 'https://www.linkedin.com/company/a', 'pending', now())""");

        flyway(jdbcUrl).load().migrate();

        assertThat(jdbc.queryForList("""
                select id from enrichment_jobs where state in ('pending', 'running') order by id""", String.class))
                .as("open jobs: the current URL's, else the newest").containsExactly("co-1", "p1-b", "p2-y");
        assertThat(jdbc.queryForList("""
                select id || ' ' || state || ' ' || outcome from enrichment_jobs
                 where id in ('p1-a', 'p1-c', 'p2-x') order by id""", String.class))
                .containsExactly("p1-a done superseded", "p1-c done superseded", "p2-x done superseded");
        assertThat(jdbc.queryForObject("select state from enrichment_jobs where id = 'p1-old'", String.class)).isEqualTo("done");
        assertThatThrownBy(() -> jdbc.update("""
                insert into enrichment_jobs (entity_type, entity_id, linkedin_url) values ('person', 'p-2', 'https://www.linkedin.com/in/z')"""))
                .isInstanceOf(DuplicateKeyException.class);
    }

    private static org.flywaydb.core.api.configuration.FluentConfiguration flyway(String jdbcUrl) {
        return Flyway.configure().dataSource(jdbcUrl, "postgres", null).locations("classpath:db/migration");
    }
}
