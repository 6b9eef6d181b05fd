package com.example.crm.webhooks.images;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Which addresses an image URL taken from a third party's payload must never be fetched from
 * (SSRF): everything that is not a public unicast address of the Internet.
 *
 * <p>The tables below are the IANA Special-Purpose Address Registries, one line per registry entry
 * with its name and RFC, as last updated on 2025-10-09:
 * <ul>
 *   <li>IPv4: <a href="https://www.iana.org/assignments/iana-ipv4-special-registry">iana-ipv4-special-registry</a>
 *   <li>IPv6: <a href="https://www.iana.org/assignments/iana-ipv6-special-registry">iana-ipv6-special-registry</a>
 * </ul>
 * plus IPv4 multicast (IANA's multicast address space, RFC 5771), and for IPv6 the IANA IPv6
 * Address Space registry: only 2000::/3 is global unicast, the rest is reserved, unique-local,
 * link-local, the deprecated site-local or multicast.
 *
 * <p>Every registry entry is refused, not only those the registry marks "not globally reachable":
 * the few marked reachable (anycast relays, AS112 DNS sinks, AMT, ORCHIDv2, drone tags) are
 * infrastructure, not hosts that serve profile pictures, and most sit inside a larger entry that
 * is not reachable. The exceptions are the forms that carry an IPv4 address inside an IPv6 one:
 * IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), the well-known NAT64 prefix
 * (64:ff9b::/96) and 6to4 (2002::/16) are judged by the IPv4 address they carry, so a DNS64
 * network can still fetch from a public host and no spelling of 169.254.169.254 gets through. The
 * local-use NAT64 prefix 64:ff9b:1::/48 is not globally reachable and is refused whole; Teredo
 * (2001::/32) is refused, as its addresses name a relay rather than the host.
 *
 * <p>When an address falls in several entries the most specific one decides, as in a routing table.
 * When a registry changes, add its line here and its range to {@code SpecialPurposeAddressesTest}.
 */
public final class SpecialPurposeAddresses {

    private static final List<Block> IPV4 = List.of(
            refused("0.0.0.0/8", "\"This network\" (RFC 791)"),
            refused("0.0.0.0/32", "\"This host on this network\" (RFC 1122)"),
            refused("10.0.0.0/8", "Private-Use (RFC 1918)"),
            refused("100.64.0.0/10", "Shared Address Space (RFC 6598)"),
            refused("127.0.0.0/8", "Loopback (RFC 1122)"),
            refused("169.254.0.0/16", "Link Local (RFC 3927)"),
            refused("172.16.0.0/12", "Private-Use (RFC 1918)"),
            refused("192.0.0.0/24", "IETF Protocol Assignments (RFC 6890)"),
            refused("192.0.0.0/29", "IPv4 Service Continuity Prefix (RFC 7335)"),
            refused("192.0.0.8/32", "IPv4 dummy address (RFC 7600)"),
            refused("192.0.0.9/32", "Port Control Protocol Anycast (RFC 7723)"), // globally reachable
            refused("192.0.0.10/32", "Traversal Using Relays around NAT Anycast (RFC 8155)"), // globally reachable
            refused("192.0.0.170/32", "NAT64/DNS64 Discovery (RFC 8880, RFC 7050)"),
            refused("192.0.0.171/32", "NAT64/DNS64 Discovery (RFC 8880, RFC 7050)"),
            refused("192.0.2.0/24", "Documentation (TEST-NET-1) (RFC 5737)"),
            refused("192.31.196.0/24", "AS112-v4 (RFC 7535)"), // globally reachable
            refused("192.52.193.0/24", "AMT (RFC 7450)"), // globally reachable
            refused("192.88.99.0/24", "Deprecated (6to4 Relay Anycast) (RFC 7526)"),
            refused("192.88.99.2/32", "6a44-relay anycast address (RFC 6751)"),
            refused("192.168.0.0/16", "Private-Use (RFC 1918)"),
            refused("192.175.48.0/24", "Direct Delegation AS112 Service (RFC 7534)"), // globally reachable
            refused("198.18.0.0/15", "Benchmarking (RFC 2544)"),
            refused("198.51.100.0/24", "Documentation (TEST-NET-2) (RFC 5737)"),
            refused("203.0.113.0/24", "Documentation (TEST-NET-3) (RFC 5737)"),
            refused("240.0.0.0/4", "Reserved (RFC 1112)"),
            refused("255.255.255.255/32", "Limited Broadcast (RFC 8190, RFC 919)"),
            // Not in the special-purpose registry: IANA's IPv4 multicast address space.
            refused("224.0.0.0/4", "Multicast (RFC 5771)"));

    private static final List<Block> IPV6 = List.of(
            // IANA IPv6 Address Space: global unicast is 2000::/3; everything else is not for hosts on the Internet.
            refused("::/0", "not Global Unicast (IANA IPv6 Address Space)"),
            allowed("2000::/3", "Global Unicast (IANA IPv6 Address Space)"),
            // The registry.
            refused("::1/128", "Loopback Address (RFC 4291)"),
            refused("::/128", "Unspecified Address (RFC 4291)"),
            carriesIpv4("::ffff:0:0/96", 12, "IPv4-mapped Address (RFC 4291)"),
            carriesIpv4("64:ff9b::/96", 12, "IPv4-IPv6 Translat. (RFC 6052)"),
            refused("64:ff9b:1::/48", "IPv4-IPv6 Translat. (RFC 8215)"),
            refused("100::/64", "Discard-Only Address Block (RFC 6666)"),
            refused("100:0:0:1::/64", "Dummy IPv6 Prefix (RFC 9780)"),
            refused("2001::/23", "IETF Protocol Assignments (RFC 2928)"),
            refused("2001::/32", "TEREDO (RFC 4380, RFC 8190)"),
            refused("2001:1::1/128", "Port Control Protocol Anycast (RFC 7723)"), // globally reachable
            refused("2001:1::2/128", "Traversal Using Relays around NAT Anycast (RFC 8155)"), // globally reachable
            refused("2001:1::3/128", "DNS-SD Service Registration Protocol Anycast (RFC 9665)"), // globally reachable
            refused("2001:2::/48", "Benchmarking (RFC 5180)"),
            refused("2001:3::/32", "AMT (RFC 7450)"), // globally reachable
            refused("2001:4:112::/48", "AS112-v6 (RFC 7535)"), // globally reachable
            refused("2001:10::/28", "Deprecated (previously ORCHID) (RFC 4843)"),
            refused("2001:20::/28", "ORCHIDv2 (RFC 7343)"), // globally reachable
            refused("2001:30::/28", "Drone Remote ID Protocol Entity Tags (DETs) Prefix (RFC 9374)"), // globally reachable
            refused("2001:db8::/32", "Documentation (RFC 3849)"),
            carriesIpv4("2002::/16", 2, "6to4 (RFC 3056)"),
            refused("2620:4f:8000::/48", "Direct Delegation AS112 Service (RFC 7534)"), // globally reachable
            refused("3fff::/20", "Documentation (RFC 9637)"),
            refused("5f00::/16", "Segment Routing (SRv6) SIDs (RFC 9602)"),
            refused("fc00::/7", "Unique-Local (RFC 4193, RFC 8190)"),
            refused("fe80::/10", "Link-Local Unicast (RFC 4291)"),
            // Not in the special-purpose registry, named for the reason they give.
            carriesIpv4("::/96", 12, "IPv4-compatible Address, deprecated (RFC 4291)"),
            refused("fec0::/10", "Site-Local, deprecated (RFC 3879)"),
            refused("ff00::/8", "Multicast (RFC 4291)"));

    private SpecialPurposeAddresses() {
    }

    /** True when an image must not be fetched from this address. */
    public static boolean isForbidden(InetAddress address) {
        return reasonForbidden(address).isPresent();
    }

    /**
     * Why the address is refused, by the registry entry that decides it (e.g. {@code Link Local
     * (RFC 3927)}), for an error message; empty when the address may be fetched from.
     */
    public static Optional<String> reasonForbidden(InetAddress address) {
        byte[] bytes = address.getAddress();
        Block block = mostSpecific(bytes.length == 4 ? IPV4 : IPV6, bytes);
        if (block == null) {
            return Optional.empty();
        }
        return switch (block.verdict()) {
            case ALLOWED -> Optional.empty();
            case REFUSED -> Optional.of(block.name());
            case CARRIES_IPV4 -> {
                InetAddress carried = ipv4(Arrays.copyOfRange(bytes, block.ipv4Offset(), block.ipv4Offset() + 4));
                yield reasonForbidden(carried).map(reason -> block.name() + " of " + carried.getHostAddress() + ": " + reason);
            }
        };
    }

    private static Block mostSpecific(List<Block> blocks, byte[] address) {
        Block best = null;
        for (Block block : blocks) {
            if (block.contains(address) && (best == null || block.prefixLength() > best.prefixLength())) {
                best = block;
            }
        }
        return best;
    }

    private enum Verdict { REFUSED, ALLOWED, CARRIES_IPV4 }

    /** One line of a table: a CIDR block, what it means for a fetch, and its registry name. */
    private record Block(byte[] network, int prefixLength, Verdict verdict, int ipv4Offset, String name) {

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int wholeBytes = prefixLength / 8;
            for (int i = 0; i < wholeBytes; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int remainingBits = prefixLength % 8;
            if (remainingBits == 0) {
                return true;
            }
            int mask = (0xff << (8 - remainingBits)) & 0xff;
            return (address[wholeBytes] & mask) == (network[wholeBytes] & mask);
        }
    }

    private static Block refused(String cidr, String name) {
        return block(cidr, Verdict.REFUSED, -1, name);
    }

    private static Block allowed(String cidr, String name) {
        return block(cidr, Verdict.ALLOWED, -1, name);
    }

    /** An IPv6 block whose addresses carry an IPv4 address at {@code ipv4Offset}: that address decides. */
    private static Block carriesIpv4(String cidr, int ipv4Offset, String name) {
        return block(cidr, Verdict.CARRIES_IPV4, ipv4Offset, name);
    }

    private static Block block(String cidr, Verdict verdict, int ipv4Offset, String name) {
        int slash = cidr.indexOf('/');
        byte[] network = literal(cidr.substring(0, slash));
        int prefixLength = Integer.parseInt(cidr.substring(slash + 1));
        if (prefixLength < 0 || prefixLength > network.length * 8) {
            throw new IllegalArgumentException("bad prefix length in " + cidr);
        }
        return new Block(network, prefixLength, verdict, ipv4Offset, name);
    }

    /**
     * The bytes of an address literal, as written: an IPv4-mapped literal stays 16 bytes (the JDK
     * would turn {@code ::ffff:0:0} into an IPv4 address). No name lookup happens for a literal.
     */
    private static byte[] literal(String text) {
        try {
            byte[] bytes = InetAddress.getByName(text).getAddress();
            if (text.contains(":") && bytes.length == 4) {
                byte[] mapped = new byte[16];
                mapped[10] = (byte) 0xff;
                mapped[11] = (byte) 0xff;
                System.arraycopy(bytes, 0, mapped, 12, 4);
                return mapped;
            }
            return bytes;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address literal: " + text, e);
        }
    }

    private static InetAddress ipv4(byte[] bytes) {
        try {
            return Inet4Address.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an IPv4 address", e);
        }
    }
}
