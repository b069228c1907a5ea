# A quotation whose words the announcement does not contain.
# expect: the quoted words do not occur in the announcement
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
PREFIX person:  <id/person/>
PREFIX member:  <id/membership/>
PREFIX agr:     <id/agreement/>
PREFIX quot:    <id/quotation/>
PREFIX count:   <id/count/>
PREFIX ref:     <https://reference.example/>
PREFIX rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs:    <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl:     <http://www.w3.org/2002/07/owl#>
PREFIX xsd:     <http://www.w3.org/2001/XMLSchema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX oa:      <http://www.w3.org/ns/oa#>

INSERT DATA { GRAPH <graph/reference> {
    person:erika-beispiel a rit:Person ; rdfs:label "Erika Beispiel"@de , "Erika Beispiel"@en ;
        dcterms:source ref:erika-beispiel .
} } ;
INSERT DATA { GRAPH <graph/announcement/mini> {
    quot:cluster a rit:Quotation ; rdfs:label "Zitat"@de , "Quotation"@en ;
        rit:quotedText "Die Cluster arbeiten mit Hitachi zusammen."@de ; rit:quotedIn ann:mini ;
        rit:spokenBy person:erika-beispiel .
    q:cluster-quotation a oa:Annotation ;
        oa:motivatedBy oa:describing ;
        oa:hasBody
            [ a rdf:Statement ; rdf:subject quot:cluster ; rdf:predicate rit:quotedText ; rdf:object "Die Cluster arbeiten mit Hitachi zusammen."@de ] ,
            [ a rdf:Statement ; rdf:subject quot:cluster ; rdf:predicate rit:quotedIn ; rdf:object ann:mini ] ,
            [ a rdf:Statement ; rdf:subject quot:cluster ; rdf:predicate rit:spokenBy ; rdf:object person:erika-beispiel ] ;
        oa:hasTarget [ oa:hasSource ann:mini ;
            oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "Die Cluster arbeiten mit Kitakyushu zusammen." ] ,
                [ a oa:TextPositionSelector ; oa:start 25 ; oa:end 70 ] ] .
} }
