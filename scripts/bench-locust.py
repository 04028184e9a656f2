# Locust's side of scripts/bench-engine.sh's sweep: what a Python user would pick instead.
# FastHttpUser (geventhttpclient), one process, 50 users each paced by constant_throughput
# to LOCUST_USER_RATE requests/s, posting the default example's body with an ID of its own.
import itertools
import os

from locust import FastHttpUser, constant_throughput, task

BODY = ('<?xml version="1.0" encoding="UTF-8"?><soap:Envelope '
        'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        '<e:Echo xmlns:e="urn:soapload:echo"><e:RequestId>L%d-R%d</e:RequestId></e:Echo>'
        '</soap:Body></soap:Envelope>')
SEQ = itertools.count(1)


class Soap(FastHttpUser):
    wait_time = constant_throughput(float(os.environ.get("LOCUST_USER_RATE", "1")))

    @task
    def echo(self):
        self.client.post("", data=BODY % (os.getpid(), next(SEQ)),
                         headers={"Content-Type": "text/xml; charset=utf-8"})
