PREFIX ex: <http://example.org/>
DELETE WHERE { ?s ex:name ?n }