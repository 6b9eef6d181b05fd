package com.example.crm.webhooks.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every entry of the IANA special-purpose registries is refused at both of its ends; public hosts
 * are not; an IPv4 address spelled as IPv6 is judged as the IPv4 address it carries.
 */
class SpecialPurposeAddressesTest {

    /** The IANA IPv4 Special-Purpose Address Registry (2025-10-09), written out apart from the class under test. */
    static Stream<String> ipv4Registry() {
        return Stream.of(
                "0.0.0.0/8", "0.0.0.0/32", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
                "172.16.0.0/12", "192.0.0.0/24", "192.0.0.0/29", "192.0.0.8/32", "192.0.0.9/32", "192.0.0.10/32",
                "192.0.0.170/32", "192.0.0.171/32", "192.0.2.0/24", "192.31.196.0/24", "192.52.193.0/24",
                "192.88.99.0/24", "192.88.99.2/32", "192.168.0.0/16", "192.175.48.0/24", "198.18.0.0/15",
                "198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4", "255.255.255.255/32",
                // multicast (RFC 5771)
                "224.0.0.0/4");
    }

    /** The IANA IPv6 Special-Purpose Address Registry (2025-10-09), plus site-local and multicast. */
    static Stream<String> ipv6Registry() {
        return Stream.of(
                "::1/128", "::/128", "::ffff:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "100:0:0:1::/64",
                "2001::/23", "2001::/32", "2001:1::1/128", "2001:1::2/128", "2001:1::3/128", "2001:2::/48",
                "2001:3::/32", "2001:4:112::/48", "2001:10::/28", "2001:20::/28", "2001:30::/28", "2001:db8::/32",
                "2002::/16", "2620:4f:8000::/48", "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10",
                // deprecated site-local (RFC 3879), multicast (RFC 4291)
                "fec0::/10", "ff00::/8");
    }

    @ParameterizedTest
    @MethodSource({"ipv4Registry", "ipv6Registry"})
    void everyRegistryEntryIsRefusedFromItsFirstToItsLastAddress(String cidr) {
        assertThat(SpecialPurposeAddresses.isForbidden(first(cidr))).as("first address of " + cidr).isTrue();
        assertThat(SpecialPurposeAddresses.isForbidden(last(cidr))).as("last address of " + cidr).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "93.184.215.14", "2606:4700:4700::1111", "2a00:1450:4001::1"})
    void publicHostsAreAllowed(String address) {
        assertThat(SpecialPurposeAddresses.isForbidden(ipv6Form(address))).isFalse();
        assertThat(SpecialPurposeAddresses.reasonForbidden(ipv6Form(address))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // just outside a refused block
            "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0", "126.255.255.255", "128.0.0.0",
            "169.253.255.255", "169.255.0.0", "172.15.255.255", "172.32.0.0", "192.0.1.0", "192.0.3.0",
            "192.88.98.255", "192.88.100.0", "192.167.255.255", "192.169.0.0", "198.17.255.255", "198.20.0.0",
            "198.51.99.255", "198.51.101.0", "203.0.112.255", "203.0.114.0", "223.255.255.255", "1.0.0.0",
            "2001:200::", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db9::", "2003::1", "2620:4f:7fff:ffff::",
            "2620:4f:8001::", "3fff:1000::", "2c0f:ffff:ffff:ffff:ffff:ffff:ffff:ffff"})
    void theNeighboursOfRefusedBlocksAreAllowed(String address) {
        assertThat(SpecialPurposeAddresses.isForbidden(ipv6Form(address))).isFalse();
    }

    @Test
    void whatTheImageFetcherRefusesTodayStaysRefused() {
        for (String address : List.of("127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
                "0.0.0.0", "224.0.0.1", "239.255.255.250", "100.64.0.1", "100.127.255.254", "192.0.0.1",
                "198.18.0.1", "198.19.255.255", "240.0.0.1", "254.1.2.3", "::", "::1", "fd00:ec2::254", "fc00::1",
                "fe80::1", "ff02::1", "fec0::1")) {
            assertThat(SpecialPurposeAddresses.isForbidden(ipv6Form(address))).as(address).isTrue();
        }
    }

    @Test
    void theRefusalNamesTheMostSpecificEntry() {
        assertThat(SpecialPurposeAddresses.reasonForbidden(ipv6Form("169.254.169.254"))).contains("Link Local (RFC 3927)");
        assertThat(SpecialPurposeAddresses.reasonForbidden(ipv6Form("192.0.0.9"))).contains("Port Control Protocol Anycast (RFC 7723)");
        assertThat(SpecialPurposeAddresses.reasonForbidden(ipv6Form("192.0.0.200"))).contains("IETF Protocol Assignments (RFC 6890)");
        assertThat(SpecialPurposeAddresses.reasonForbidden(ipv6Form("0.0.0.0"))).contains("\"This host on this network\" (RFC 1122)");
        assertThat(SpecialPurposeAddresses.reasonForbidden(ipv6Form("::1"))).contains("Loopback Address (RFC 4291)");
        assertThat(SpecialPurposeAddresses.reasonForbidden(ipv6Form("2001::1"))).contains("TEREDO (RFC 4380, RFC 8190)");
        assertThat(SpecialPurposeAddresses.reasonForbidden(ipv6Form("2001:1::3"))).contains("DNS-SD Service Registration Protocol Anycast (RFC 9665)");
        assertThat(SpecialPurposeAddresses.reasonForbidden(ipv6Form("2001:1ff::1"))).contains("IETF Protocol Assignments (RFC 2928)");
        assertThat(SpecialPurposeAddresses.reasonForbidden(ipv6Form("100:0:0:1::7"))).contains("Dummy IPv6 Prefix (RFC 9780)");
        assertThat(SpecialPurposeAddresses.reasonForbidden(ipv6Form("4000::1"))).contains("not Global Unicast (IANA IPv6 Address Space)");
    }

    @Test
    void anIpv4MappedAddressIsJudgedByItsIpv4Address() {
        assertThat(SpecialPurposeAddresses.isForbidden(inet6("::ffff:169.254.169.254"))).isTrue();
        assertThat(SpecialPurposeAddresses.isForbidden(inet6("::ffff:127.0.0.1"))).isTrue();
        assertThat(SpecialPurposeAddresses.isForbidden(inet6("::ffff:192.0.2.1"))).isTrue();
        assertThat(SpecialPurposeAddresses.isForbidden(inet6("::ffff:8.8.8.8"))).isFalse();
        assertThat(SpecialPurposeAddresses.reasonForbidden(inet6("::ffff:10.0.0.1")))
                .contains("IPv4-mapped Address (RFC 4291) of 10.0.0.1: Private-Use (RFC 1918)");
    }

    @Test
    void anIpv4CompatibleAddressIsJudgedByItsIpv4Address() {
        assertThat(SpecialPurposeAddresses.isForbidden(inet6("::169.254.169.254"))).isTrue();
        assertThat(SpecialPurposeAddresses.isForbidden(inet6("::10.0.0.1"))).isTrue();
        assertThat(SpecialPurposeAddresses.isForbidden(inet6("::8.8.8.8"))).isFalse();
    }

    @Test
    void aWellKnownNat64AddressIsJudgedByItsIpv4Address() {
        assertThat(SpecialPurposeAddresses.isForbidden(inet6("64:ff9b::169.254.169.254"))).isTrue();
        assertThat(SpecialPurposeAddresses.isForbidden(inet6("64:ff9b::a00:1"))).isTrue();
        assertThat(SpecialPurposeAddresses.isForbidden(inet6("64:ff9b::127.0.0.1"))).isTrue();
        assertThat(SpecialPurposeAddresses.isForbidden(inet6("64:ff9b::8.8.8.8"))).isFalse();
        assertThat(SpecialPurposeAddresses.isForbidden(inet6("64:ff9b::1.1.1.1"))).isFalse();
    }

    @Test
    void theLocalUseNat64PrefixIsRefusedWhateverItCarries() {
        assertThat(SpecialPurposeAddresses.isForbidden(inet6("64:ff9b:1::8.8.8.8"))).isTrue();
        assertThat(SpecialPurposeAddresses.isForbidden(inet6("64:ff9b:1::169.254.169.254"))).isTrue();
        assertThat(SpecialPurposeAddresses.isForbidden(inet6("64:ff9b:1:ffff:ffff:ffff:ffff:ffff"))).isTrue();
    }

    @Test
    void a6to4AddressIsJudgedByTheIpv4AddressInItsSecondAndThirdGroups() {
        assertThat(SpecialPurposeAddresses.isForbidden(inet6("2002:a9fe:a9fe::1"))).isTrue(); // 169.254.169.254
        assertThat(SpecialPurposeAddresses.isForbidden(inet6("2002:7f00:1::"))).isTrue(); // 127.0.0.1
        assertThat(SpecialPurposeAddresses.isForbidden(inet6("2002:c0a8:101::1"))).isTrue(); // 192.168.1.1
        assertThat(SpecialPurposeAddresses.isForbidden(inet6("2002:808:808::1"))).isFalse(); // 8.8.8.8
        assertThat(SpecialPurposeAddresses.reasonForbidden(inet6("2002:a00:1::")))
                .contains("6to4 (RFC 3056) of 10.0.0.1: Private-Use (RFC 1918)");
    }

    @Test
    void teredoIsRefusedEvenWhenItsServerIsPublic() {
        // 2001:0:4136:e378:... names the Teredo server 65.54.227.120 and an obfuscated client.
        assertThat(SpecialPurposeAddresses.isForbidden(inet6("2001:0:4136:e378:8000:63bf:3fff:fdd2"))).isTrue();
    }

    @Test
    void aScopedLinkLocalAddressIsRefused() throws UnknownHostException {
        assertThat(SpecialPurposeAddresses.isForbidden(
                Inet6Address.getByAddress(null, inet6("fe80::1").getAddress(), 2))).isTrue();
    }

    // ---- helpers: addresses built from bytes, so the JDK's own parsing of special forms cannot hide a case

    /** The first address of a CIDR block. */
    private static InetAddress first(String cidr) {
        return edge(cidr, false);
    }

    /** The last address of a CIDR block. */
    private static InetAddress last(String cidr) {
        return edge(cidr, true);
    }

    private static InetAddress edge(String cidr, boolean last) {
        String[] parts = cidr.split("/");
        byte[] network = inet6OrInet4Bytes(parts[0]);
        int bits = network.length * 8;
        int hostBits = bits - Integer.parseInt(parts[1]);
        BigInteger value = new BigInteger(1, network);
        BigInteger hostMask = BigInteger.ONE.shiftLeft(hostBits).subtract(BigInteger.ONE);
        value = last ? value.or(hostMask) : value.andNot(hostMask);
        return fromBytes(toBytes(value, network.length));
    }

    /** The literal as its own family: an IPv4-mapped literal stays an Inet6Address. */
    private static InetAddress ipv6Form(String literal) {
        return literal.contains(":") ? inet6(literal) : fromBytes(inet6OrInet4Bytes(literal));
    }

    private static Inet6Address inet6(String literal) {
        try {
            return Inet6Address.getByAddress(null, inet6OrInet4Bytes(literal), -1);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    private static byte[] inet6OrInet4Bytes(String literal) {
        try {
            byte[] bytes = InetAddress.getByName(literal).getAddress();
            if (literal.contains(":") && bytes.length == 4) { // the JDK turns ::ffff:a.b.c.d into IPv4
                byte[] mapped = new byte[16];
                mapped[10] = (byte) 0xff;
                mapped[11] = (byte) 0xff;
                System.arraycopy(bytes, 0, mapped, 12, 4);
                return mapped;
            }
            return bytes;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    private static InetAddress fromBytes(byte[] bytes) {
        try {
            return bytes.length == 16 ? Inet6Address.getByAddress(null, bytes, -1) : InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static byte[] toBytes(BigInteger value, int length) {
        byte[] raw = value.toByteArray();
        byte[] bytes = new byte[length];
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, bytes, length - copy, copy);
        return bytes;
    }
}
