/* contract_example.h - the example scenario of SCENARIOS.md, verbatim: the
 * parser's test reads it field by field, the CLI's runs it, the trace sinks'
 * draw it. */
#ifndef TESTS_CONTRACT_EXAMPLE_H
#define TESTS_CONTRACT_EXAMPLE_H

static const char contract_example[] =
	"# Two RX queues on two CPUs feed one TPACKET_V2 socket. cpu0's big packet is\n"
	"# held up right after spin_unlock (label F) while cpu1's small packets wrap the ring.\n"
	"scenario wrap\n"
	"cpus     3\n"
	"fix      all\n"
	"socket   cap   type=packet version=v2 frames=8 frame_size=2048\n"
	"flow     big   socket=cap cpu=0 count=1 size=1514\n"
	"flow     small socket=cap cpu=1 at=1us every=200ns count=12 size=64\n"
	"stall    cpu=0 at=tpacket_rcv:F for=20us\n"
	"consumer pcap  socket=cap cpu=2 check=nonzero\n"
	"expect   fix=none        overrun>=1\n"
	"expect   fix=in_progress consumer_partial>=1   # libpcap reads a frame still being written\n"
	"expect   fix=owner_map   overrun==0 corrupt==0 lost==0 drops>=1\n";

#endif
