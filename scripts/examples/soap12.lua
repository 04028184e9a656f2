-- A SOAP 1.2 scenario: application/soap+xml with the action as a media-type parameter.
-- Run: soapload scripts/examples/soap12.lua
soapload.url = "http://127.0.0.1:8000/soap/endpoint"
soapload.rate = 500
soapload.duration = "10s"
soapload.soap_version = "1.2"
soapload.headers = {
  ["Content-Type"] = 'application/soap+xml; charset=utf-8; action="urn:soapload:echo#Echo"',
}

function request(id, seq)
  -- soapload.envelope() follows soap_version: a SOAP 1.2 envelope here
  return soapload.envelope(soapload.echo(id))
end
