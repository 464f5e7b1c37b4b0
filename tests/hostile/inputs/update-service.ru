INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:@PORT@/sparql> { ?s ?p ?o } }
