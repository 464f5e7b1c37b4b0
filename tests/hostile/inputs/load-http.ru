LOAD <http://127.0.0.1:@PORT@/secret.nt> INTO GRAPH <http://example.org/g>
