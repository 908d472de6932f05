"""Four-letter words on the client port, as monitoring tools send them (a raw socket: the word,
then the answer until the server closes the connection): ruok, srvr, stat, mntr, srst, conf, cons,
envi, wchs, and the fields each answer has (values vary; the ones fixed by what this script
did are checked)."""
import socket
from harness import *


def ask(word):
    host, port = SERVERS.split(",")[0].rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=DEADLINE) as s:
        s.sendall(word.encode("ascii"))
        chunks = []
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return b"".join(chunks).decode("utf-8")
            chunks.append(chunk)


def fields(text, separator):
    """The names of "name<separator>value" lines, in order."""
    return [line.split(separator, 1)[0].strip() for line in text.splitlines() if separator in line]


c = client()
R = "/kazoo-4lw"
fresh_root(c, R)
c.get(R, watch=lambda event: None)

log("ruok:", ask("ruok"))
srvr = ask("srvr")
log("srvr fields:", fields(srvr, ":"))
log("  Mode is standalone, leader or follower:", any(line in ("Mode: standalone", "Mode: leader", "Mode: follower") for line in srvr.splitlines()))
stat_ = ask("stat")
log("stat starts with srvr's version line:", stat_.splitlines()[0] == srvr.splitlines()[0])
log("stat has a Clients: section:", "Clients:" in stat_.splitlines())
log("stat fields after the clients:", fields("\n".join(stat_.split("\n\n", 1)[1:]), ":"))
mntr = dict(line.split("\t", 1) for line in ask("mntr").splitlines() if "\t" in line)
wanted = ["zk_version", "zk_server_state", "zk_avg_latency", "zk_max_latency", "zk_min_latency",
          "zk_packets_received", "zk_packets_sent", "zk_num_alive_connections", "zk_outstanding_requests",
          "zk_znode_count", "zk_watch_count", "zk_ephemerals_count", "zk_approximate_data_size",
          "zk_open_file_descriptor_count", "zk_max_file_descriptor_count",
          "zk_cnt_readlatency", "zk_p99_readlatency", "zk_cnt_updatelatency", "zk_p99_updatelatency"]
log("mntr has, tab-separated:", [k for k in wanted if k in mntr])
log("  zk_server_state is standalone, leader or follower:", mntr["zk_server_state"] in ("standalone", "leader", "follower"))
log("  numbers:", all(mntr[k].lstrip("-").replace(".", "", 1).isdigit() for k in wanted if k not in ("zk_version", "zk_server_state")))
log("  zk_watch_count >= 1:", int(mntr["zk_watch_count"]) >= 1)
log("srst:", ask("srst").strip())
reset = dict(line.split("\t", 1) for line in ask("mntr").splitlines() if "\t" in line)
log("  then zk_cnt_updatelatency, zk_max_updatelatency:", reset["zk_cnt_updatelatency"], reset["zk_max_updatelatency"])
conf = ask("conf")
log("conf has clientPort, dataDir, tickTime:", all(("\n" + k + "=") in ("\n" + conf) for k in ("clientPort", "dataDir", "tickTime")))
cons = ask("cons")
log("cons lists connections:", cons.strip().startswith("/127.0.0.1:"))
log("envi starts with:", ask("envi").splitlines()[0])
wchs = ask("wchs")
log("wchs:", wchs.splitlines()[1:] if len(wchs.splitlines()) > 1 else wchs)

c.stop()
log("done")
