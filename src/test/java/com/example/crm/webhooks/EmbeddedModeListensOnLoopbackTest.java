package com.example.crm.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.crm.webhooks.support.ServiceInstance;
import com.example.crm.webhooks.support.TestInfrastructure;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import org.junit.jupiter.api.Test;

/**
 * The embedded mode's ports (its console has a preset login) take connections on 127.0.0.1 only.
 * Linux routes all of 127.0.0.0/8 to loopback, so a port bound to every interface also answers at
 * 127.0.0.2, and one bound to 127.0.0.1 does not: what a neighbour on the network would see.
 */
class EmbeddedModeListensOnLoopbackTest {

    @Test
    void bothPortsListenOnLoopbackOnly() throws IOException {
        try (ServiceInstance local = ServiceInstance.start("embedded-loopback",
                TestInfrastructure.newDatabase("embedded_loopback"), LocalWebhookService.LISTEN_ON_LOOPBACK)) {
            int publicPort = URI.create(local.baseUrl()).getPort();
            for (int port : new int[] {publicPort, local.managementPort()}) {
                connect("127.0.0.1", port);
                assertThatThrownBy(() -> connect("127.0.0.2", port)).as("port %d at another address", port)
                        .isInstanceOf(ConnectException.class);
            }
        }
    }

    private static void connect(String host, int port) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 2000);
            assertThat(socket.isConnected()).isTrue();
        }
    }
}
