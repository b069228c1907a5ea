# A value of 17,408 characters, where a few words belong.
# expect: longer than 10,000 characters
PREFIX rit:     <ontology#>
PREFIX place:   <id/place/>
PREFIX orgn:    <id/organisation/>
PREFIX deleg:   <id/delegation/>
PREFIX prog:    <id/programme/>
PREFIX sel:     <id/selection/>
PREFIX app:     <id/application/>
PREFIX part:    <id/partnership/>
PREFIX ev:      <id/event/>
PREFIX market:  <id/market/>
PREFIX ind:     <id/indicator/>
PREFIX dist:    <id/distance/>
PREFIX ann:     <id/announcement/>
PREFIX q:       <id/announcement/mini/quote/>
PREFIX rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs:    <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl:     <http://www.w3.org/2002/07/owl#>
PREFIX xsd:     <http://www.w3.org/2001/XMLSchema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX oa:      <http://www.w3.org/ns/oa#>

DELETE { GRAPH <graph/reference> { sel:cluster rit:competitors "andere Standorte"@de } }
INSERT { GRAPH <graph/reference> { sel:cluster rit:competitors ?long } }
WHERE {
    BIND ("andere Standorte " AS ?t0)
    BIND (CONCAT(?t0, ?t0) AS ?t1) BIND (CONCAT(?t1, ?t1) AS ?t2) BIND (CONCAT(?t2, ?t2) AS ?t3) BIND (CONCAT(?t3, ?t3) AS ?t4)
    BIND (CONCAT(?t4, ?t4) AS ?t5) BIND (CONCAT(?t5, ?t5) AS ?t6) BIND (CONCAT(?t6, ?t6) AS ?t7) BIND (CONCAT(?t7, ?t7) AS ?t8)
    BIND (CONCAT(?t8, ?t8) AS ?t9) BIND (CONCAT(?t9, ?t9) AS ?t10)
    BIND (STRLANG(?t10, "de") AS ?long)
}
