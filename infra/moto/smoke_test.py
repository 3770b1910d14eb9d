"""Smoke test of a running moto server, with the boto3 that comes with moto.

Run: infra/moto/smoke.sh   (starts the server if needed), or
     MOTO_ENDPOINT=http://127.0.0.1:PORT python3 infra/moto/smoke_test.py
     (with the Debian copy: PYTHONPATH=$SHOAL_CACHE/moto/root/usr/lib/python3/dist-packages
      /usr/bin/python3 infra/moto/smoke_test.py)
Exercises the AWS calls Shoal relies on; exits non-zero on the first failure.
"""
import base64
import io
import json
import os
import sys
import time
import uuid
import zipfile

import boto3

EP = os.environ["MOTO_ENDPOINT"]
KW = dict(endpoint_url=EP, region_name="us-east-1",
          aws_access_key_id="test", aws_secret_access_key="test")
RUN = uuid.uuid4().hex[:8]  # unique names: the server may be shared


def client(name):
    return boto3.client(name, **KW)


def step(msg):
    print(f"[smoke] {msg}", flush=True)


t0 = time.time()
ec2 = client("ec2")
ami = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
tag = f"pool-{RUN}"
r = ec2.run_instances(
    ImageId=ami, MinCount=2, MaxCount=2, InstanceType="t3.micro",
    UserData="#!/bin/sh\necho shoal",
    TagSpecifications=[{"ResourceType": "instance",
                        "Tags": [{"Key": "shoal", "Value": tag}]}])
ids = sorted(i["InstanceId"] for i in r["Instances"])
found = sorted(i["InstanceId"]
               for res in ec2.describe_instances(
                   Filters=[{"Name": "tag:shoal", "Values": [tag]}])["Reservations"]
               for i in res["Instances"])
assert found == ids, (found, ids)
ud = ec2.describe_instance_attribute(InstanceId=ids[0], Attribute="userData")
assert base64.b64decode(ud["UserData"]["Value"]) == b"#!/bin/sh\necho shoal"
step(f"EC2 RunInstances(TagSpecifications, UserData) + DescribeInstances(tag filter): {ids}")
ec2.terminate_instances(InstanceIds=ids)
states = {i["State"]["Name"]
          for res in ec2.describe_instances(InstanceIds=ids)["Reservations"]
          for i in res["Instances"]}
assert states <= {"shutting-down", "terminated"}, states
step(f"EC2 TerminateInstances -> {states}")

asg = client("autoscaling")
lt = f"shoal-lt-{RUN}"
ec2.create_launch_template(LaunchTemplateName=lt, LaunchTemplateData={
    "ImageId": ami, "InstanceType": "t3.micro"})
g = f"shoal-asg-{RUN}"
asg.create_auto_scaling_group(
    AutoScalingGroupName=g, LaunchTemplate={"LaunchTemplateName": lt, "Version": "$Latest"},
    MinSize=0, MaxSize=5, DesiredCapacity=1, AvailabilityZones=["us-east-1a"],
    Tags=[{"Key": "shoal", "Value": g, "PropagateAtLaunch": True}])
asg.set_desired_capacity(AutoScalingGroupName=g, DesiredCapacity=3)
grp = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[g])["AutoScalingGroups"][0]
assert grp["DesiredCapacity"] == 3 and len(grp["Instances"]) == 3, grp
n = sum(len(res["Instances"]) for res in ec2.describe_instances(
    Filters=[{"Name": "tag:shoal", "Values": [g]}])["Reservations"])
assert n == 3, n
step("AutoScaling CreateAutoScalingGroup + SetDesiredCapacity(3): 3 instances, visible in EC2 by tag")

sqs = client("sqs")
q = sqs.create_queue(QueueName=f"shoal-q-{RUN}")["QueueUrl"]
sqs.send_message(QueueUrl=q, MessageBody="hello")
attrs = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["All"])["Attributes"]
assert attrs["ApproximateNumberOfMessages"] == "1", attrs
body = sqs.receive_message(QueueUrl=q, MaxNumberOfMessages=1)["Messages"][0]["Body"]
assert body == "hello"
step(f"SQS CreateQueue/SendMessage/GetQueueAttributes/ReceiveMessage: {q}")

iam = client("iam")
role = iam.create_role(RoleName=f"shoal-lambda-{RUN}", AssumeRolePolicyDocument=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                           "Principal": {"Service": "lambda.amazonaws.com"}}]}))["Role"]["Arn"]
step(f"IAM CreateRole: {role}")

buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as z:
    z.writestr("lambda_function.py", "def lambda_handler(e, c):\n    return {'ok': True}\n")
lam = client("lambda")
fn = f"shoal-fn-{RUN}"
f = lam.create_function(FunctionName=fn, Runtime="python3.11", Role=role,
                        Handler="lambda_function.lambda_handler", Code={"ZipFile": buf.getvalue()})
names = [x["FunctionName"] for x in lam.list_functions()["Functions"]]
assert fn in names, names
step(f"Lambda CreateFunction + ListFunctions: {f['FunctionArn']} ({f.get('State')})")
t1 = time.time()
try:
    inv = lam.invoke(FunctionName=fn, Payload=b'{"x": 1}')
    step(f"Lambda Invoke (info only): status {inv['StatusCode']}, payload {inv['Payload'].read()[:200]!r}")
except Exception as e:  # with Docker-backed Lambda and no Docker this is HTTP 500
    step(f"Lambda Invoke (info only) failed: {type(e).__name__}: {str(e)[:120]}")
step(f"done: calls {t1 - t0:.1f}s, invoke {time.time() - t1:.1f}s")
print("SMOKE OK")
sys.exit(0)
