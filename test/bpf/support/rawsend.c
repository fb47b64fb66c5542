// rawsend IFNAME HEX...: sends each hex-encoded Ethernet frame out of IFNAME through an
// AF_PACKET socket, as a pod with CAP_NET_RAW can (forged addresses, any protocol).
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: rawsend IFNAME HEX...\n");
		return 2;
	}
	int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0) {
		perror("rawsend: socket");
		return 1;
	}
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = (int)if_nametoindex(argv[1]), .sll_halen = 6 };
	if (!sll.sll_ifindex) {
		perror("rawsend: interface");
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		size_t n = strlen(argv[i]) / 2;
		unsigned char *buf = malloc(n);
		for (size_t j = 0; j < n; j++)
			sscanf(argv[i] + 2 * j, "%2hhx", &buf[j]);
		if (sendto(fd, buf, n, 0, (struct sockaddr *)&sll, sizeof(sll)) != (ssize_t)n) {
			perror("rawsend: sendto");
			return 1;
		}
		free(buf);
	}
	close(fd);
	return 0;
}
