LOAD <file://@IN@/d.ttl> INTO GRAPH <http://example.org/copy>
