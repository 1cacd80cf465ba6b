"""Development support shared by the tests, the benchmarks and the local stack: signing
like the platforms do, building API Gateway events, creating AWS resources from
template.yaml. Never part of the layer."""
