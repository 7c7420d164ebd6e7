package dev.switchboard.session;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class LeaseValueTest {

    @Test
    void a_lease_value_is_written_and_read_back_by_one_type() {
        LeaseValue v = new LeaseValue("replica-3", "3fa2c1d0", 42);
        assertEquals("replica-3~3fa2c1d0#42", v.format());
        assertEquals(v, LeaseValue.parse(v.format()));
        assertEquals("replica-3~3fa2c1d0", v.owner());
        assertEquals(v.format(), LeaseValue.format(v.owner(), 42));
        assertEquals("replica-3", LeaseValue.replicaOf(v.owner()));
    }

    @Test
    void a_replica_id_may_hold_the_separators_and_junk_is_not_a_lease() {
        assertEquals(new LeaseValue("pod~a#b", "ff", 7), LeaseValue.parse("pod~a#b~ff#7"));
        assertNull(LeaseValue.parse("8081#12"), "no incarnation");
        assertNull(LeaseValue.parse("8081~ff#x"), "no fence");
        assertNull(LeaseValue.parse(""));
        assertNull(LeaseValue.parse(null));
    }
}
