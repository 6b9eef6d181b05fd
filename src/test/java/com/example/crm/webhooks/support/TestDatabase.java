package com.example.crm.webhooks.support;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.ColumnMapRowMapper;
import org.springframework.jdbc.core.JdbcTemplate;

/** The tests' view of the database: emptying it, and comparing every table before and after. */
public final class TestDatabase {

    /**
     * Rows as maps; SQL arrays (text[] columns) as lists and bytea as hex text, since the driver's
     * arrays and byte arrays compare by identity.
     */
    private static final ColumnMapRowMapper ROWS = new ColumnMapRowMapper() {
        @Override
        protected Object getColumnValue(ResultSet rs, int index) throws SQLException {
            Object value = super.getColumnValue(rs, index);
            if (value instanceof byte[] bytes) {
                return HexFormat.of().formatHex(bytes);
            }
            return value instanceof Array array ? Arrays.asList((Object[]) array.getArray()) : value;
        }
    };

    private static final String REFUSED_DELIVERIES = "refused_deliveries";

    private final JdbcTemplate jdbc;

    public TestDatabase(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** The application's tables, without Flyway's history. */
    public List<String> tables() {
        return jdbc.queryForList("""
                select table_name from information_schema.tables
                where table_schema = 'public' and table_type = 'BASE TABLE'
                  and table_name <> 'flyway_schema_history'
                order by table_name""", String.class);
    }

    public void truncateAll() {
        jdbc.execute("truncate table " + String.join(", ", tables()));
    }

    /**
     * Every row of every table but refused_deliveries, in a stable order: equal snapshots mean no data
     * was written. A refused delivery is kept there on purpose (its own tests look at it).
     */
    public Map<String, List<Map<String, Object>>> snapshot() {
        Map<String, List<Map<String, Object>>> snapshot = new LinkedHashMap<>();
        for (String table : tables()) {
            if (table.equals(REFUSED_DELIVERIES)) {
                continue;
            }
            snapshot.put(table, jdbc.query("select * from " + table + " order by 1", ROWS));
        }
        return snapshot;
    }

    public int count(String table) {
        return jdbc.queryForObject("select count(*) from " + table, Integer.class);
    }
}
